"""The federal course volume (CAO 103, domain.md): a table of cases, boundaries included."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gateway.models import OdbCourse, Period
from gateway.rules.ruledata import RuleBook
from gateway.rules.vok import month_spans, started_blocks, volume_check

COURSE: dict[str, Any] = {
    "odb_number": "CE-100235",
    "title_nl": "Projectbeheer",
    "provider": {"kbo": "0403170701", "name": "CVO"},
    "course_type": "professional",
    "volume": {"amount": "360", "unit": "hours"},
    "incentives": {"vov": True, "training_vouchers": True, "vok": True},
    "outcomes": ["profession-specific-competences"],
    "qualifying": True,
    "valid_from": "2020-01-01",
}


def course(amount: str, unit: str = "hours", course_type: str = "professional") -> OdbCourse:
    return OdbCourse.model_validate(
        {**COURSE, "volume": {"amount": amount, "unit": unit}, "course_type": course_type}
    )


@pytest.mark.parametrize(
    ("begin", "end", "years", "quarters"),
    [
        (date(2025, 1, 15), date(2026, 1, 14), 1, 4),  # twelve months from the 15th: one year
        (date(2025, 1, 15), date(2026, 1, 15), 2, 5),  # one day more starts a second year
        (date(2025, 9, 1), date(2025, 11, 30), 1, 1),
        (date(2025, 9, 1), date(2025, 12, 1), 1, 2),
        (date(2025, 9, 1), date(2025, 9, 1), 1, 1),
    ],
)
def test_started_years_and_quarters_count_from_the_first_day(
    begin: date, end: date, years: int, quarters: int
) -> None:
    assert started_blocks(begin, end, 12) == years
    assert started_blocks(begin, end, 3) == quarters


@pytest.mark.parametrize(
    ("amount", "unit", "course_type", "begin", "end", "passed"),
    [
        # 360 h a year: a 12-month period starting mid-month is one year (issue 14)
        ("360", "hours", "professional", date(2025, 1, 15), date(2026, 1, 14), True),
        ("359.99", "hours", "professional", date(2025, 1, 15), date(2026, 1, 14), False),
        # 120 h a quarter
        ("120", "hours", "professional", date(2025, 9, 1), date(2025, 11, 30), True),
        ("119.99", "hours", "professional", date(2025, 9, 1), date(2025, 11, 30), False),
        # two quarters: 240 h passes quarterly although below 360 a year
        ("240", "hours", "professional", date(2025, 9, 1), date(2026, 2, 28), True),
        ("239.99", "hours", "professional", date(2025, 9, 1), date(2026, 2, 28), False),
        # 300 / 100 h for basic education and a secondary diploma
        ("300", "hours", "basic-education", date(2025, 9, 1), date(2026, 8, 31), True),
        ("300", "hours", "secondary-diploma", date(2025, 9, 1), date(2026, 8, 31), True),
        ("300", "hours", "professional", date(2025, 9, 1), date(2026, 8, 31), False),
        ("100", "hours", "basic-education", date(2025, 9, 1), date(2025, 11, 30), True),
        ("99.99", "hours", "basic-education", date(2025, 9, 1), date(2025, 11, 30), False),
        # 27 study points a year, 9 a quarter
        ("27", "study-points", "professional", date(2025, 9, 1), date(2026, 8, 31), True),
        ("26", "study-points", "professional", date(2025, 9, 1), date(2026, 8, 31), False),
        ("9", "study-points", "professional", date(2025, 9, 1), date(2025, 11, 30), True),
        ("8.99", "study-points", "professional", date(2025, 9, 1), date(2025, 11, 30), False),
        # lesson periods count as hours
        ("120", "lesson-periods", "professional", date(2025, 9, 1), date(2025, 11, 30), True),
        # two started years need twice the yearly minimum
        ("720", "hours", "professional", date(2024, 9, 1), date(2026, 6, 30), True),
        ("719", "hours", "professional", date(2024, 9, 1), date(2026, 6, 30), False),
    ],
)
def test_volume_cases(
    rules: RuleBook,
    amount: str,
    unit: str,
    course_type: str,
    begin: date,
    end: date,
    passed: bool,
) -> None:
    result = volume_check(
        rules.vok(begin), course(amount, unit, course_type), Period(begin=begin, end=end)
    )
    assert result.passed is passed, result.message


def test_month_spans_clip_the_first_and_last_month() -> None:
    spans = month_spans(date(2025, 1, 15), date(2025, 3, 10))
    assert [s.month for s in spans] == ["2025-01", "2025-02", "2025-03"]
    assert spans[0].first == date(2025, 1, 15) and spans[0].partial
    assert not spans[1].partial and spans[1].last == date(2025, 2, 28)
    assert spans[2].last == date(2025, 3, 10) and spans[2].partial
    assert Decimal(len(month_spans(date(2024, 9, 1), date(2025, 8, 31)))) == 12
