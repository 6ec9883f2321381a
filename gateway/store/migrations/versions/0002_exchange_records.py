"""Exchange records: ODB course catalogue, inbound BEV records, career-break mutation feed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.store.tables import UtcDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "odb_course",
        sa.Column("odb_number", sa.String(32), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "inbound_record",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("source_record_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("partner", "message_id", name="uq_inbound_partner_message"),
    )
    op.create_index("ix_inbound_subject", "inbound_record", ["subject"])
    op.create_index("ix_inbound_received_at", "inbound_record", ["received_at"])
    op.create_table(
        "career_break_mutation",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("attest_number", sa.String(30), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("attest_number", "status", name="uq_mutation_attest_status"),
        sa.CheckConstraint("status IN ('new', 'cancelled')", name="ck_mutation_status"),
    )
    op.create_index("ix_mutation_subject", "career_break_mutation", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_mutation_subject", table_name="career_break_mutation")
    op.drop_table("career_break_mutation")
    op.drop_index("ix_inbound_received_at", table_name="inbound_record")
    op.drop_index("ix_inbound_subject", table_name="inbound_record")
    op.drop_table("inbound_record")
    op.drop_table("odb_course")
