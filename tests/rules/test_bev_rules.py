from decimal import Decimal

import pytest

from gateway.models import BevCourseType, EducationLevel, RaisedCapReason
from gateway.rules.bev import bev_cap, bev_eligible, claimable_hours
from gateway.rules.ruledata import RuleBook

D = Decimal
T = BevCourseType
R = RaisedCapReason


@pytest.mark.parametrize(
    ("course_type", "reason", "expected"),
    [
        (T.PROFESSIONAL, None, "100"),
        (T.PROFESSIONAL, R.BOTTLENECK_OCCUPATION, "180"),
        (T.PROFESSIONAL, R.BASIC_EDUCATION, "180"),
        (T.PROFESSIONAL, R.FIRST_SECONDARY_DIPLOMA, "180"),
        (T.PROFESSIONAL, R.LOW_EDUCATION, "130"),
        (T.GENERAL_UNION, None, "80"),
        (T.UNIVERSITY, None, "120"),
        (T.UNIVERSITY, R.BOTTLENECK_OCCUPATION, "180"),
        (T.PROFESSIONAL_BACHELOR, None, "100"),
        (T.PROFESSIONAL_BACHELOR, R.BOTTLENECK_OCCUPATION, "180"),
        (T.LANGUAGE, None, "80"),
        (T.LANGUAGE, R.NATIONAL_LANGUAGE, "130"),
        (T.LANGUAGE, R.SIGN_LANGUAGE, "130"),
        (T.LANGUAGE, R.JOB_RELATED_LANGUAGE, "130"),
    ],
)
def test_caps_by_course_type_and_reason(
    rules: RuleBook, course_type: BevCourseType, reason: RaisedCapReason | None, expected: str
) -> None:
    cap = bev_cap(rules.bev("2024-2025"), course_type, reason, EducationLevel.HIGH, D("1"))
    assert cap.hours == D(expected)
    assert cap.reason == (reason if expected not in ("100", "80", "120") else None)


def test_reason_without_cap_for_the_type_is_ignored(rules: RuleBook) -> None:
    cap = bev_cap(rules.bev("2024-2025"), T.GENERAL_UNION, R.BOTTLENECK_OCCUPATION, None, D("1"))
    assert cap.hours == D("80")
    assert cap.ignored_reason is R.BOTTLENECK_OCCUPATION


@pytest.mark.parametrize(
    ("level", "expected"),
    [(EducationLevel.LOW, "130"), (EducationLevel.MEDIUM, "130"), (EducationLevel.HIGH, "100")],
)
def test_education_level_raises_professional_cap(
    rules: RuleBook, level: EducationLevel, expected: str
) -> None:
    cap = bev_cap(rules.bev("2024-2025"), T.PROFESSIONAL, None, level, D("1"))
    assert cap.hours == D(expected)


def test_higher_raise_wins_over_education_level(rules: RuleBook) -> None:
    cap = bev_cap(
        rules.bev("2024-2025"), T.PROFESSIONAL, R.BOTTLENECK_OCCUPATION, EducationLevel.LOW, D("1")
    )
    assert cap.hours == D("180") and cap.reason is R.BOTTLENECK_OCCUPATION


@pytest.mark.parametrize(
    ("fraction", "eligible", "expected"),
    [
        ("0.2500", True, "25.00"),  # the 25% edge is included
        ("0.2499", False, "0.00"),
        ("0.5000", True, "50.00"),
        ("0.3333", True, "33.33"),
        ("0.0000", False, "0.00"),
    ],
)
def test_fraction_threshold_and_pro_rata(
    rules: RuleBook, fraction: str, eligible: bool, expected: str
) -> None:
    view = rules.bev("2024-2025")
    assert bev_eligible(view, D(fraction)) is eligible
    cap = bev_cap(view, T.PROFESSIONAL, None, None, D(fraction))
    assert cap.hours == D(expected)
    assert cap.full_time_hours == D("100")


@pytest.mark.parametrize(
    ("contact", "cap", "used", "expected"),
    [
        ("60", "100", "0", "60.00"),  # course shorter than the cap
        ("150", "100", "0", "100.00"),  # capped
        ("150", "100", "30", "70.00"),  # prior use reduces the room
        ("150", "100", "100", "0.00"),  # exhausted
        ("150", "100", "120", "0.00"),  # prior use over the cap: never negative
        ("0", "100", "0", "0.00"),
    ],
)
def test_claimable_hours(contact: str, cap: str, used: str, expected: str) -> None:
    assert claimable_hours(D(contact), D(cap), D(used)) == D(expected)
