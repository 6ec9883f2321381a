"""A store seeded with known counts for the evaluation report (school year 2025-2026).

Each figure of the report has an expected value here, derived by hand from the rows below
(tests/report/test_figures.py checks them one by one, on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from gateway.store.database import Store
from gateway.store.tables import (
    CareerBreakMutationRow,
    InboundRecordRow,
    IntakeFactRow,
    OutboxRow,
    core_table,
)

YEAR = "2025-2026"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _fact(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "received_at": NOW,
        "school_year": YEAR,
        "start_month": "2025-09",
        "channel": "bulk",
        "outcome": "routed",
        "rule": None,
        "unit_region": "brussels",
        "course_type": None,
        "contact_hours": None,
        "hours_cap": None,
        "hours_claimable": None,
        "prior_region": None,
        "hours_carried": None,
        "message_id": None,
    }
    row.update(values)
    return row


def facts() -> list[dict[str, Any]]:
    rows = []
    for i in range(7):  # professional, 40 h of a 100 h cap; six movers from Flanders (10 h)
        rows.append(
            _fact(
                course_type="professional",
                contact_hours=40.0,
                hours_cap=100.0,
                hours_claimable=40.0,
                message_id=f"m-{i}",
                prior_region="flanders" if i < 6 else None,
                hours_carried=10.0 if i < 6 else None,
            )
        )
    for i in range(7, 12):  # language courses starting in October, at the 80 h cap
        rows.append(
            _fact(
                course_type="language",
                start_month="2025-10",
                contact_hours=100.0,
                hours_cap=80.0,
                hours_claimable=80.0,
                message_id=f"m-{i}",
                channel="single",
            )
        )
    rows += [_fact(outcome="not-brussels", unit_region="flanders") for _ in range(9)]
    rows += [
        _fact(outcome="refused", rule="course.unknown", start_month="2025-10") for _ in range(6)
    ]
    rows += [
        _fact(outcome="refused", rule="crosswalk.unknown-course", start_month="2025-10")
        for _ in range(3)
    ]
    rows += [
        _fact(outcome="refused", rule="json.well-formed", unit_region=None, start_month=None)
        for _ in range(2)
    ]
    rows += [_fact(school_year="2024-2025", start_month="2024-11") for _ in range(5)]
    return rows


def _outbox(message_id: str, status: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "message_id": message_id,
        "partner": "brussels",
        "operation": "ReceiveBevRecord",
        "payload": b"<x/>",
        "digest": "0" * 64,
        "status": status,
        "attempts": 1,
        "next_attempt_at": NOW,
        "created_at": NOW,
        "delivered_at": None,
        "last_error": None,
    }
    row.update(values)
    return row


def outbox() -> list[dict[str, Any]]:
    rows = [
        _outbox(
            f"m-{i}",
            "delivered",
            delivered_at=NOW + timedelta(seconds=1.5),
            attempts=2 if i < 3 else 1,
        )
        for i in range(8)
    ]
    rows += [_outbox("m-8", "pending"), _outbox("m-9", "in_flight")]
    rows.append(_outbox("m-10", "dead", last_error="refused by partner: bev.duplicate"))
    # m-11 was purged: not in the outbox. One entry of another school year:
    rows.append(_outbox("old", "delivered", created_at=NOW - timedelta(days=400), delivered_at=NOW))
    return rows


def _mutation(
    attest: str, subject: str, *, category: str = "1", reason: str | None = "5", **values: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "message_id": "push-1",
        "attest_number": attest,
        "status": "new",
        "subject": subject,
        "payload": "{}",
        "received_at": NOW,
        "source": "RVA",
        "category": category,
        "reduction": "3",
        "reason": reason,
        "period_begin": date(2025, 6, 1),
        "period_end": date(2026, 5, 31),
    }
    row.update(values)
    return row


def mutations() -> list[dict[str, Any]]:
    # Training time credit: 7 attests of 6 workers (s1 has two); a3 is cancelled later.
    subjects = ["s1", "s1", "s2", "s3", "s4", "s5", "s6"]
    rows = [_mutation(f"a{i}", subjects[i]) for i in range(7)]
    rows.append(_mutation("a3", "s3", status="cancelled"))
    rows += [_mutation(f"c{i}", f"c{i}", reason="1") for i in range(5)]  # time credit, care
    rows += [  # care credit (category 4), full interruption
        _mutation(f"z{i}", f"z{i}", category="4", reason="1", reduction="1") for i in range(5)
    ]
    rows += [  # another school year's training credit: not counted
        _mutation(f"o{i}", f"o{i}", period_begin=date(2020, 1, 1), period_end=date(2020, 12, 31))
        for i in range(3)
    ]
    return rows


def inbound() -> list[dict[str, Any]]:
    def row(i: int, carried: float) -> dict[str, Any]:
        return {
            "partner": "brussels",
            "message_id": f"in-{i}",
            "kind": "bev-record",
            "source_record_id": f"r-{i}",
            "subject": f"t{i}",
            "payload": "{}",
            "report": "{}",
            "received_at": NOW,
            "school_year": YEAR,
            "hours_carried": carried,
        }

    return [row(i, 12.5) for i in range(5)] + [row(i, 0.0) for i in range(5, 7)]


def seed(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(insert(core_table(IntakeFactRow)), facts())
        conn.execute(insert(core_table(OutboxRow)), outbox())
        conn.execute(insert(core_table(CareerBreakMutationRow)), mutations())
        conn.execute(insert(core_table(InboundRecordRow)), inbound())
