"""Migration 0005 fills the new columns of rows stored before it (chunked backfill), on SQLite
and PostgreSQL: a career-break mutation's codes and period, a BEV record's school year and the
hours it carries. And the columns intake writes after it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select, text

from gateway.models import CareerBreakMutation, VovRegistration
from gateway.store.database import Store
from gateway.store.migrate import upgrade
from gateway.store.tables import CareerBreakMutationRow, InboundRecordRow
from tests.support.store import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_0005_fills_the_columns_of_stored_rows(store_url: str, clock: FakeClock) -> None:
    mutation = CareerBreakMutation.model_validate(
        json.loads((ROOT / "examples" / "career-break-mutation.json").read_text())[0]
    )
    registration = VovRegistration.model_validate_json(
        (ROOT / "examples" / "vov-registration-mover.json").read_text()
    )
    store = Store(store_url, clock=clock)
    try:
        upgrade(store, "0004")
        with store.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO career_break_mutation (message_id, attest_number, status,"
                    " subject, payload, received_at) VALUES ('m', :a, 'new', 's', :p, :now)"
                ),
                {
                    "a": mutation.attest_number,
                    "p": mutation.record.model_dump_json(),
                    "now": clock(),
                },
            )
            conn.execute(
                text(
                    "INSERT INTO inbound_record (partner, message_id, kind, source_record_id,"
                    " subject, payload, report, received_at) VALUES ('brussels', 'i', 'bev-record',"
                    " 'r', 's', :p, '{}', :now)"
                ),
                {"p": registration.model_dump_json(), "now": clock()},
            )
        store.upgrade()
        with store.begin() as conn:
            row = conn.execute(select(CareerBreakMutationRow.__table__)).one()
            inbound = conn.execute(select(InboundRecordRow.__table__)).one()
    finally:
        store.dispose()
    assert (row.source, row.category, row.reduction, row.reason) == ("RVA", "1", "2", "5")
    assert row.period_begin == date(2025, 9, 1) and row.period_end == date(2026, 2, 28)
    assert inbound.school_year == "2025-2026"
    carried = sum(p.hours for p in registration.prior_use)
    assert carried > 0 and inbound.hours_carried == float(carried)
