"""Initial schema: outbox, inbox, replay cache, audit log with chain head and checkpoints.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.store.tables import UtcDateTime

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_expires_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("partner_answer", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("correlation_id", sa.String(255), nullable=True),
        sa.UniqueConstraint("partner", "message_id", name="uq_outbox_partner_message"),
        sa.CheckConstraint(
            "status IN ('pending', 'in_flight', 'delivered', 'dead')", name="ck_outbox_status"
        ),
    )
    op.create_index("ix_outbox_claim", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_lease", "outbox", ["status", "lease_expires_at"])

    op.create_table(
        "inbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("partner", "message_id", name="uq_inbox_partner_message"),
        sa.CheckConstraint("status IN ('received', 'answered')", name="ck_inbox_status"),
    )

    op.create_table(
        "replay_cache",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_replay_expires", "replay_cache", ["expires_at"])

    op.create_table(
        "audit_log",
        sa.Column("seq", BigId, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(255), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("signature_value", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name="ck_audit_direction"),
    )
    op.create_index("ix_audit_recorded_at", "audit_log", ["recorded_at"])

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.execute(
        sa.text("INSERT INTO audit_head (id, seq, entry_hash) VALUES (1, 0, :genesis)").bindparams(
            genesis="0" * 64
        )
    )

    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", BigId, primary_key=True, autoincrement=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_checkpoint", "audit_head", "audit_log", "replay_cache", "inbox"):
        op.drop_table(table)
    op.drop_index("ix_outbox_lease", table_name="outbox")
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.drop_table("outbox")
