"""Outbox origin: which REST client (or other origin) queued a message.

``GET /v1/messages/{message_id}`` shows a message only to the client that queued it (and to
operators with ``outbox:admin``). Rows queued before this migration keep ``origin`` NULL and are
visible to operators only.

Revision ID: 0003
Revises: 0002
Also indexes ``outbox.message_id``: message follow-up (REST and SOAP ``GetMessageStatus``) looks
a message up by its id alone, which the (partner, message_id) unique key does not serve.

Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # A nullable column without a default: a plain ALTER TABLE ... ADD COLUMN on both backends
    # (no table rebuild on SQLite, no rewrite on PostgreSQL); existing rows read NULL.
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("origin", sa.String(100), nullable=True))
    op.create_index("ix_outbox_message_id", "outbox", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_message_id", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("origin")
