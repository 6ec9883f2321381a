"""Every figure of the evaluation report on a store seeded with known counts (tests/report/seed.py),
on SQLite and PostgreSQL: first raw (threshold 1 shows every count), then suppressed."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import BrugValidationError
from gateway.report.build import evaluation_report
from gateway.report.model import ShownReport
from gateway.store.database import Store
from tests.report.seed import YEAR, seed


def cells(report: ShownReport, key: str) -> dict[str, dict[str, Any]]:
    table = report.table(key)
    rows = {row.label: row.cells for row in table.rows}
    if table.total is not None:
        rows["total"] = table.total.cells
    return rows


@pytest.fixture
def raw(store: Store) -> ShownReport:
    seed(store)
    return evaluation_report(store, YEAR, threshold=1)


def test_registrations_by_region_and_outcome(raw: ShownReport) -> None:
    got = cells(raw, "registrationsByRegion")
    assert got["brussels"] == {"routed": 12, "notBrussels": 0, "refused": 9, "total": 21}
    assert got["flanders"] == {"routed": 0, "notBrussels": 9, "refused": 0, "total": 9}
    assert got["wallonia"]["total"] == 0
    assert got["unknown"] == {"routed": 0, "notBrussels": 0, "refused": 2, "total": 2}
    assert got["total"] == {"routed": 12, "notBrussels": 9, "refused": 11, "total": 32}


def test_refusals_by_rule(raw: ShownReport) -> None:
    got = cells(raw, "refusalsByRule")
    assert got == {
        "course.unknown": {"count": 6},
        "crosswalk.unknown-course": {"count": 3},
        "json.well-formed": {"count": 2},
        "total": {"count": 11},
    }
    assert raw.table("refusalsByRule").rows[0].label == "course.unknown"


def test_registrations_by_start_month(raw: ShownReport) -> None:
    got = cells(raw, "registrationsByMonth")
    assert got["2025-09"] == {"routed": 7, "notBrussels": 9, "refused": 0, "total": 16}
    assert got["2025-10"] == {"routed": 5, "notBrussels": 0, "refused": 9, "total": 14}
    assert got["unknown"]["total"] == 2
    assert "2024-11" not in got  # another school year


def test_transfers_status_course_types_and_hours(raw: ShownReport) -> None:
    status = cells(raw, "transfersByStatus")
    assert {k: v["count"] for k, v in status.items()} == {
        "delivered": 8,
        "pending": 2,
        "dead": 1,
        "notInOutbox": 1,
        "total": 12,
    }
    types = cells(raw, "transfersByCourseType")
    assert types["professional"] == {"count": 7, "contactHours": 280.0, "hoursClaimable": 280.0}
    assert types["language"] == {"count": 5, "contactHours": 500.0, "hoursClaimable": 400.0}
    assert types["total"] == {"count": 12, "contactHours": 780.0, "hoursClaimable": 680.0}
    hours = cells(raw, "hoursClaimable")
    assert hours["20-40"]["count"] == 7 and hours["60-80"]["count"] == 5
    assert sum(v["count"] for k, v in hours.items() if k != "total") == 12
    share = cells(raw, "hoursAgainstCap")
    assert share["25-50 %"]["count"] == 7  # 40 of 100
    assert share["at the cap"]["count"] == 5  # 80 of 80
    assert share["total"]["count"] == 12


def test_movers_both_directions(raw: ShownReport) -> None:
    got = cells(raw, "movers")
    assert got["flanders → brussels"] == {"count": 6, "hoursCarried": 60.0}
    assert got["brussels → flanders"] == {"count": 5, "hoursCarried": 62.5}
    assert got["total"] == {"count": 11, "hoursCarried": 122.5}


def test_career_breaks_by_code(raw: ShownReport) -> None:
    category = cells(raw, "careerBreaksByCategory")
    assert category["1 (time-credit)"] == {"new": 12, "cancelled": 1, "total": 13}
    assert category["4 (care-credit)"] == {"new": 5, "cancelled": 0, "total": 5}
    reduction = cells(raw, "careerBreaksByReduction")
    assert reduction["3 (one-fifth)"]["new"] == 12 and reduction["1 (full)"]["new"] == 5
    motive = cells(raw, "careerBreaksByMotive")
    assert motive["5 (training)"] == {"new": 7, "cancelled": 1, "total": 8}
    assert motive["1 (other)"] == {"new": 10, "cancelled": 0, "total": 10}
    month = cells(raw, "careerBreaksByMonth")
    assert month["2026-03"] == {
        "trainingMotive": 7,
        "otherMotive": 5,
        "otherCareerBreak": 5,
        "total": 17,
    }


def test_vok_comparison(raw: ShownReport) -> None:
    attests = cells(raw, "trainingTimeCredit")
    assert attests == {
        "live": {"count": 6},
        "cancelled since": {"count": 1},
        "total": {"count": 7},
    }
    comparison = {k: v["count"] for k, v in cells(raw, "vokComparison").items()}
    assert comparison == {
        "time-credit attests (any motive)": 12,
        "with a training motive": 7,
        "with a training motive, still live": 6,
        "VOK candidates found (workers)": 5,  # s1 (two attests) counts once; s3 was cancelled
    }
    assert cells(raw, "vokCandidatesByMonth")["2026-03"] == {"count": 5}


def test_exchange_health(raw: ShownReport) -> None:
    health = cells(raw, "deliveryByPartner")
    assert health["brussels"] == {
        "delivered": 8,
        "pending": 2,
        "dead": 1,
        "total": 11,
        "entriesRetried": 3.0,
    }  # the entry of another school year is left out
    latency = cells(raw, "deliveryLatency")["brussels"]
    assert latency == {"delivered": 8, "p50Seconds": 2, "p90Seconds": 2, "p99Seconds": 2}
    assert cells(raw, "deadLetters")["brussels: refusedByPartner"] == {"count": 1}


def test_suppressed_at_five(store: Store) -> None:
    seed(store)
    shown = evaluation_report(store, YEAR)
    assert shown.threshold == 5
    rules = cells(shown, "refusalsByRule")
    # 3 and 2 are below 5; two hidden cells under the total: none can be recomputed
    assert rules["crosswalk.unknown-course"]["count"] == "<5"
    assert rules["json.well-formed"]["count"] == "<5"
    assert rules["course.unknown"]["count"] == 6 and rules["total"]["count"] == 11
    dead = cells(shown, "deadLetters")
    assert dead["brussels: refusedByPartner"]["count"] == "<5"
    assert dead["total"]["count"] == "<5"  # the total is the one cell: hidden as well
    latency = cells(shown, "deliveryLatency")["brussels"]
    assert latency["delivered"] == 8 and latency["p50Seconds"] == 2
    attests = cells(shown, "trainingTimeCredit")
    # "cancelled since" (1) is hidden; so is "live" (6), or 7 - 6 would give it back
    assert attests["cancelled since"]["count"] == "<5"
    assert attests["live"]["count"] == "x"
    assert attests["total"]["count"] == 7


def test_a_bad_school_year_names_the_rule(store: Store) -> None:
    with pytest.raises(BrugValidationError) as caught:
        evaluation_report(store, "2025-2027")
    assert caught.value.violations[0].rule == "school-year.format"


def test_an_empty_store_gives_an_empty_report(store: Store) -> None:
    shown = evaluation_report(store, YEAR)
    assert cells(shown, "registrationsByRegion")["total"]["total"] == 0
    assert shown.table("refusalsByRule").rows == []


def test_the_code_tables_status_is_said_in_its_own_word(raw: ShownReport, store: Store) -> None:
    from adapters.federal.codes import CodeTable

    shipped = CodeTable.load()
    assert shipped.status.value == "sample"
    said = " ".join(raw.notes) + " ".join(t.note or "" for t in raw.tables)
    assert f"{shipped.version} (sample: not confirmed by the RVA)" in said
    assert "assumed" not in said.split(shipped.version, 1)[1][:40]
    confirmed = shipped.model_copy(update={"status": type(shipped.status)("confirmed")})
    report = evaluation_report(store, YEAR, codes=confirmed, threshold=1)
    assert f"Federal code table {shipped.version} (confirmed)." in report.notes
