"""Unsigned outbox, attempts in the audit: the Timestamp each delivery attempt carried.

The outbox now stores what is to be sent *unsigned* (the delivery transport signs each attempt
afresh), and the audit records, per attempt, the signature value and the WS-Security Timestamp
that left the gateway (``audit_log.sent_at``, NULL for every other entry; the chain hashes it
only when it is set, so entries written before this migration verify unchanged).

Entries queued before this migration and not yet delivered hold brug's old signed form: their
WS-Security header is taken off here (the Body, and so the message, is unchanged) and their
digest updated, so that the one transport can sign them like any other.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op
from lxml import etree

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

CHUNK = 500
_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_HEADERS = (
    "{http://schemas.xmlsoap.org/soap/envelope/}Header",
    "{http://www.w3.org/2003/05/soap-envelope}Header",
)


def unsigned(payload: bytes) -> bytes:
    """``payload`` without brug's WS-Security header (as it was stored before 0004)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(payload, parser)
    removed = False
    for header in (c for c in root if c.tag in _HEADERS):
        for block in [b for b in header if b.tag == f"{{{_WSSE}}}Security"]:
            header.remove(block)
            removed = True
    return etree.tostring(root, encoding="UTF-8") if removed else payload


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("sent_at", sa.String(40), nullable=True))
    bind = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.BigInteger),
        sa.column("payload", sa.LargeBinary),
        sa.column("digest", sa.String),
        sa.column("status", sa.String),
    )
    waiting = outbox.c.status.in_(("pending", "in_flight", "dead"))
    ids = bind.execute(sa.select(outbox.c.id).where(waiting).order_by(outbox.c.id)).scalars().all()
    # Payloads a chunk at a time: an outbox with many dead letters must not be read at once.
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = bind.execute(
            sa.select(outbox.c.id, outbox.c.payload).where(outbox.c.id.in_(chunk))
        ).all()
        for row_id, payload in rows:
            try:
                bare = unsigned(bytes(payload))
            except etree.XMLSyntaxError:
                continue  # not brug's envelope: left as it is (the transport dead-letters it)
            if bare != bytes(payload):
                bind.execute(
                    sa.update(outbox)
                    .where(outbox.c.id == row_id)
                    .values(payload=bare, digest=hashlib.sha256(bare).hexdigest())
                )


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("sent_at")
