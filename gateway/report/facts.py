"""The evaluation facts intake writes: one row per VOV registration decided, no personal data.

The REST intake (single and bulk) calls :func:`routed` or :func:`refused` for each registration
it decides on and writes the rows with :func:`insert` in the unit of work that stores the
message (accepted) or in one of its own (refused). A row holds codes (region, course type, the
first broken rule), hours and the outbox message id; the INSZ, names, KBO numbers and the
registration id stay out, so the report can read this table without ever touching a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection

from gateway.errors import Violation
from gateway.models import BevRecord, Region, VovRegistration
from gateway.rules import schoolyear
from gateway.store.bulk_insert import insert_rows
from gateway.store.tables import IntakeFactRow, core_table

Channel = Literal["single", "bulk"]
ROUTE_NOT_BRUSSELS = "route.not-brussels"
_TABLE = core_table(IntakeFactRow)
_REGIONS = frozenset(r.value for r in Region)


def _carried(registration: VovRegistration) -> tuple[str | None, float | None]:
    """The region a mover comes from (the first prior use outside Brussels) and the hours
    already used this school year in any region."""
    if not registration.prior_use:
        return None, None
    origin = next(
        (p.region.value for p in registration.prior_use if p.region != Region.BRUSSELS), None
    )
    return origin, float(sum((p.hours for p in registration.prior_use), Decimal(0)))


def routed(
    registration: VovRegistration,
    record: BevRecord,
    message_id: str,
    *,
    channel: Channel,
    now: datetime,
) -> dict[str, Any]:
    """The fact of a registration mapped to a BEV record and queued for Brussels."""
    prior_region, carried = _carried(registration)
    return {
        "received_at": now,
        "school_year": record.school_year,
        "start_month": registration.start_date.strftime("%Y-%m"),
        "channel": channel,
        "outcome": "routed",
        "rule": None,
        "unit_region": registration.establishment_unit.region.value,
        "course_type": record.course_type.value,
        "contact_hours": float(registration.contact_hours),
        "hours_cap": float(record.hours_cap),
        "hours_claimable": float(record.hours_claimable),
        "prior_region": prior_region,
        "hours_carried": carried,
        "message_id": message_id,
    }


def refused(
    registration: VovRegistration | None,
    violations: Sequence[Violation],
    *,
    channel: Channel,
    now: datetime,
    raw: Any = None,
) -> dict[str, Any]:
    """The fact of a registration that was not routed: "not-brussels" when the only rule it
    broke is ``route.not-brussels`` (it stays in its own region's scheme), else "refused" with
    the first other rule. Without a valid registration (a bad INSZ, a missing field), its
    start date and region are read from ``raw`` (the line as sent) where they are well-formed;
    the school year is then the start date's, else the one of ``now``."""
    rules = [v.rule for v in violations]
    outcome = "not-brussels" if set(rules) == {ROUTE_NOT_BRUSSELS} else "refused"
    # the rule that refused it: the region shows on its own, so route.not-brussels comes last
    first = next((r for r in rules if r != ROUTE_NOT_BRUSSELS), ROUTE_NOT_BRUSSELS)[:100]
    if registration is None:
        start, region = _readable(raw)
        day = start or now.date()
        return {
            "received_at": now,
            "school_year": schoolyear.school_year_of(day),
            "start_month": None if start is None else start.strftime("%Y-%m"),
            "channel": channel,
            "outcome": outcome,
            "rule": None if outcome == "not-brussels" else first,
            "unit_region": region,
            "course_type": None,
            "contact_hours": None,
            "hours_cap": None,
            "hours_claimable": None,
            "prior_region": None,
            "hours_carried": None,
            "message_id": None,
        }
    prior_region, carried = _carried(registration)
    return {
        "received_at": now,
        "school_year": schoolyear.school_year_of(registration.start_date),
        "start_month": registration.start_date.strftime("%Y-%m"),
        "channel": channel,
        "outcome": outcome,
        "rule": None if outcome == "not-brussels" else first,
        "unit_region": registration.establishment_unit.region.value,
        "course_type": None,
        "contact_hours": float(registration.contact_hours),
        "hours_cap": None,
        "hours_claimable": None,
        "prior_region": prior_region,
        "hours_carried": carried,
        "message_id": None,
    }


def _readable(raw: Any) -> tuple[date | None, str | None]:
    """The start date and unit region of a registration that did not validate, when those two
    fields themselves are well-formed (REST names: ``startDate``, ``establishmentUnit.region``)."""
    if not isinstance(raw, dict):
        return None, None
    start: date | None = None
    text = raw.get("startDate", raw.get("start_date"))
    if isinstance(text, str) and len(text) == 10:
        try:
            start = date.fromisoformat(text)
        except ValueError:
            start = None
    unit = raw.get("establishmentUnit", raw.get("establishment_unit"))
    region = unit.get("region") if isinstance(unit, dict) else None
    return start, region if region in _REGIONS else None


def insert(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Write prepared fact rows in one statement (nothing when there are none)."""
    if rows:
        insert_rows(connection, _TABLE, rows)
