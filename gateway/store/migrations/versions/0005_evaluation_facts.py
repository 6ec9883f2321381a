"""Evaluation facts: what the monitoring report counts, kept at intake without personal data.

Before this migration a refused VOV registration left no trace, and the figures the evaluation
report needs (region of the establishment unit, course type, hours against the cap, hours
carried by a mover, a career break's category, reduction and motive) sat only inside payloads
(XML envelopes, JSON) that SQL cannot aggregate on both backends alike. So:

* ``intake_fact``: one row per VOV registration the REST API decided on (routed to Brussels,
  staying in Flanders, refused with its first rule): codes, hours and the outbox message id,
  never an INSZ, a name or a dossier number. Rows start with this migration: registrations
  received before it are not counted (their refusals were never stored).
* ``career_break_mutation`` gets its codes and period as columns; ``inbound_record`` (BEV records
  Brussels handed over) its school year and the hours already used. Both are filled for the rows
  already stored, a chunk at a time (nullable columns added without a default: no table rewrite
  on PostgreSQL, no rebuild on SQLite).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from gateway.store.tables import UtcDateTime

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Hours = sa.Numeric(8, 2, asdecimal=False)
CHUNK = 1000


def _chunks(bind: sa.Connection, table: sa.TableClause) -> Any:
    """Rows (id, payload) a chunk at a time, by id: never the whole table in memory."""
    last = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, table.c.payload)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _school_year(day: str) -> str:
    parsed = date.fromisoformat(day)
    first = parsed.year if parsed.month >= 9 else parsed.year - 1
    return f"{first}-{first + 1}"


def _backfill_mutations(bind: sa.Connection) -> None:
    table = sa.table(
        "career_break_mutation",
        sa.column("id", sa.BigInteger),
        sa.column("payload", sa.Text),
        sa.column("source", sa.String),
        sa.column("category", sa.String),
        sa.column("reduction", sa.String),
        sa.column("reason", sa.String),
        sa.column("period_begin", sa.Date),
        sa.column("period_end", sa.Date),
    )
    for rows in _chunks(bind, table):
        for row_id, payload in rows:
            record = json.loads(payload)
            period = record.get("period") or {}
            reason = record.get("reason")
            bind.execute(
                sa.update(table)
                .where(table.c.id == row_id)
                .values(
                    source=record.get("source"),
                    category=(record.get("category") or {}).get("code"),
                    reduction=(record.get("reduction") or {}).get("code"),
                    reason=None if reason is None else reason.get("code"),
                    period_begin=date.fromisoformat(period["begin"]),
                    period_end=None
                    if period.get("end") is None
                    else date.fromisoformat(period["end"]),
                )
            )


def _backfill_inbound(bind: sa.Connection) -> None:
    table = sa.table(
        "inbound_record",
        sa.column("id", sa.BigInteger),
        sa.column("payload", sa.Text),
        sa.column("school_year", sa.String),
        sa.column("hours_carried", Hours),
    )
    for rows in _chunks(bind, table):
        for row_id, payload in rows:
            record = json.loads(payload)
            carried = sum(
                (Decimal(str(p["hours"])) for p in record.get("prior_use") or ()), Decimal(0)
            )
            bind.execute(
                sa.update(table)
                .where(table.c.id == row_id)
                .values(
                    school_year=_school_year(record["start_date"]), hours_carried=float(carried)
                )
            )


def upgrade() -> None:
    op.create_table(
        "intake_fact",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("school_year", sa.String(9), nullable=False),
        sa.Column("start_month", sa.String(7), nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(100), nullable=True),
        sa.Column("unit_region", sa.String(20), nullable=True),
        sa.Column("course_type", sa.String(32), nullable=True),
        sa.Column("contact_hours", Hours, nullable=True),
        sa.Column("hours_cap", Hours, nullable=True),
        sa.Column("hours_claimable", Hours, nullable=True),
        sa.Column("prior_region", sa.String(20), nullable=True),
        sa.Column("hours_carried", Hours, nullable=True),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('routed', 'not-brussels', 'refused')", name="ck_intake_fact_outcome"
        ),
    )
    op.create_index("ix_intake_fact_year", "intake_fact", ["school_year", "outcome"])
    op.create_index("ix_intake_fact_message", "intake_fact", ["message_id"])
    with op.batch_alter_table("career_break_mutation") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=True))
        batch.add_column(sa.Column("category", sa.String(2), nullable=True))
        batch.add_column(sa.Column("reduction", sa.String(2), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(2), nullable=True))
        batch.add_column(sa.Column("period_begin", sa.Date(), nullable=True))
        batch.add_column(sa.Column("period_end", sa.Date(), nullable=True))
    with op.batch_alter_table("inbound_record") as batch:
        batch.add_column(sa.Column("school_year", sa.String(9), nullable=True))
        batch.add_column(sa.Column("hours_carried", Hours, nullable=True))
    bind = op.get_bind()
    _backfill_mutations(bind)
    _backfill_inbound(bind)


def downgrade() -> None:
    with op.batch_alter_table("inbound_record") as batch:
        batch.drop_column("hours_carried")
        batch.drop_column("school_year")
    with op.batch_alter_table("career_break_mutation") as batch:
        for name in ("period_end", "period_begin", "reason", "reduction", "category", "source"):
            batch.drop_column(name)
    op.drop_index("ix_intake_fact_message", table_name="intake_fact")
    op.drop_index("ix_intake_fact_year", table_name="intake_fact")
    op.drop_table("intake_fact")
