from decimal import Decimal

import pytest

from gateway.models import Volume
from gateway.rules.ruledata import RuleBook
from gateway.rules.vov import vov_attendance_ok, vov_cap, vov_course_meets_minimum, vov_eligible

D = Decimal


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [("1.0000", "125.00"), ("0.8000", "100.00"), ("0.5000", "62.50"), ("0.6667", "83.34")],
)
def test_cap_is_125_times_fraction(rules: RuleBook, fraction: str, expected: str) -> None:
    cap = vov_cap(rules.vov("2024-2025"), D(fraction))
    assert cap.eligible
    assert cap.hours == D(expected)


def test_below_half_time_not_eligible(rules: RuleBook) -> None:
    view = rules.vov("2024-2025")
    assert vov_eligible(view, D("0.5"))
    assert not vov_eligible(view, D("0.4999"))
    cap = vov_cap(view, D("0.3"))
    assert not cap.eligible and cap.hours == 0


def test_unconfirmed_80_percent_threshold(rules_unconfirmed: RuleBook) -> None:
    assert not vov_eligible(rules_unconfirmed.vov("2025-2026"), D("0.75"))
    assert vov_eligible(rules_unconfirmed.vov("2024-2025"), D("0.75"))


@pytest.mark.parametrize(
    ("school_year", "fraction", "expected", "applied"),
    [
        ("2020-2021", "1", "125.00", False),  # no joint initiative yet
        ("2021-2022", "1", "250.00", True),
        ("2023-2024", "0.5", "125.00", True),  # pro rata (assumption)
        ("2024-2025", "1", "125.00", False),  # continuation unconfirmed: not applied
    ],
)
def test_joint_initiative(
    rules: RuleBook, school_year: str, fraction: str, expected: str, applied: bool
) -> None:
    cap = vov_cap(rules.vov(school_year), D(fraction), joint_initiative=True)
    assert cap.hours == D(expected)
    assert cap.joint_initiative_applied is applied


def test_joint_initiative_continuation_when_enabled(rules_unconfirmed: RuleBook) -> None:
    cap = vov_cap(rules_unconfirmed.vov("2024-2025"), D("1"), joint_initiative=True)
    assert cap.hours == D("250.00")


@pytest.mark.parametrize(
    ("amount", "unit", "ok"),
    [
        ("32", "hours", True),
        ("31.99", "hours", False),
        ("32", "lesson-periods", True),
        ("31", "lesson-periods", False),
        ("3", "study-points", True),
        ("2.5", "study-points", False),
    ],
)
def test_course_minimum(rules: RuleBook, amount: str, unit: str, ok: bool) -> None:
    volume = Volume(amount=D(amount), unit=unit)  # type: ignore[arg-type]
    assert vov_course_meets_minimum(rules.vov("2024-2025"), volume) is ok


def test_attendance_from_2024_25(rules: RuleBook) -> None:
    assert vov_attendance_ok(rules.vov("2024-2025"), D("50"), D("100"))
    assert not vov_attendance_ok(rules.vov("2024-2025"), D("49.99"), D("100"))
    assert vov_attendance_ok(rules.vov("2023-2024"), D("0"), D("100"))  # no rule yet
