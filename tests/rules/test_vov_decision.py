"""The Flemish decision on a VOV registration: a table of cases per rule from the sources
(domain.md), boundaries included."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gateway.errors import BrugValidationError
from gateway.models import OdbCourse, VovRegistration
from gateway.rules.ruledata import RuleBook
from gateway.rules.vov_decision import VovFacts, decide_vov

D = Decimal
KBO = "0403170701"
REGISTRATION: dict[str, Any] = {
    "registration_id": "VOV-2024-000900",
    "worker": {"insz": "85073003328", "education_level": "medium"},
    "employer": {"kbo": KBO, "name": "Werkhuis NV", "sector": "private"},
    "establishment_unit": {"number": "3000001053", "region": "flanders", "postcode": "9000"},
    "employment": {"fraction": "1.0000", "reference_month": "2024-03"},
    "odb_number": "CE-100235",
    "provider_kbo": KBO,
    "contact_hours": "100.00",
    "start_date": "2024-10-01",
    "end_date": "2025-06-30",
}
COURSE: dict[str, Any] = {
    "odb_number": "CE-100235",
    "title_nl": "Projectbeheer",
    "provider": {"kbo": KBO, "name": "CVO"},
    "course_type": "professional",
    "volume": {"amount": "100", "unit": "hours"},
    "incentives": {"vov": True, "training_vouchers": True, "vok": True},
    "outcomes": ["profession-specific-competences"],
    "qualifying": True,
    "valid_from": "2019-01-01",
}


def reg(**changes: Any) -> VovRegistration:
    data = copy.deepcopy(REGISTRATION)
    for key, value in changes.items():
        if isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return VovRegistration.model_validate(data)


def course(**changes: Any) -> OdbCourse:
    return OdbCourse.model_validate({**COURSE, **changes})


def failed(decision: Any) -> set[str]:
    return {c.rule for c in decision.checks if not c.passed}


@pytest.mark.parametrize(
    ("fraction", "passed"), [("0.5000", True), ("0.4999", False), ("1.0000", True)]
)
def test_fraction_threshold(rules: RuleBook, fraction: str, passed: bool) -> None:
    decision = decide_vov(reg(employment={"fraction": fraction}), course(), rules)
    assert ("vov.fraction" not in failed(decision)) is passed


@pytest.mark.parametrize(
    ("amount", "unit", "passed"),
    [
        ("32", "hours", True),
        ("31.99", "hours", False),
        ("32", "lesson-periods", True),
        ("31", "lesson-periods", False),
        ("3", "study-points", True),
        ("2.9", "study-points", False),
    ],
)
def test_course_minimum(rules: RuleBook, amount: str, unit: str, passed: bool) -> None:
    decision = decide_vov(reg(), course(volume={"amount": amount, "unit": unit}), rules)
    assert ("vov.course-minimum" not in failed(decision)) is passed


@pytest.mark.parametrize(
    ("start", "attended", "passed", "evaluated"),
    [
        ("2024-10-01", "50.00", True, True),  # exactly half of 100 contact hours
        ("2024-10-01", "49.99", False, True),
        ("2024-10-01", None, True, False),  # not given: not evaluated, never refused
        # the last day of 2023-24: no attendance rule that year
        ("2024-08-31", "0.00", True, True),
        # the first day of 2024-25: the rule applies
        ("2024-09-01", "0.00", False, True),
    ],
)
def test_attendance_from_2024_25(
    rules: RuleBook, start: str, attended: str | None, passed: bool, evaluated: bool
) -> None:
    facts = VovFacts(attended_hours=None if attended is None else D(attended))
    decision = decide_vov(reg(start_date=start), course(), rules, facts)
    (check,) = [c for c in decision.checks if c.rule == "vov.attendance"]
    assert (check.passed, check.evaluated) == (passed, evaluated)


def test_final_assessment_is_enough_and_says_it_is_provisional(rules: RuleBook) -> None:
    decision = decide_vov(reg(), course(), rules, VovFacts(final_assessment=True))
    assert "vov.attendance" not in failed(decision)
    assert any("final assessment" in r for r in decision.provisional_reasons)


@pytest.mark.parametrize(
    ("start", "fraction", "joint", "cap"),
    [
        ("2023-10-01", "1.0000", False, "125.00"),
        ("2023-10-01", "1.0000", True, "250.00"),  # joint initiative confirmed to 2023-24
        ("2023-10-01", "0.5000", True, "125.00"),  # pro rata (assumption in code)
        ("2024-10-01", "1.0000", True, "125.00"),  # continuation unconfirmed: not applied
        ("2024-10-01", "0.8000", False, "100.00"),
    ],
)
def test_cap(rules: RuleBook, start: str, fraction: str, joint: bool, cap: str) -> None:
    decision = decide_vov(
        reg(
            start_date=start,
            end_date="2025-06-30" if start >= "2024" else "2024-06-30",
            employment={"fraction": fraction, "reference_month": f"{start[:4]}-03"},
            joint_initiative=joint,
        ),
        course(),
        rules,
    )
    assert decision.cap_hours == D(cap)


def test_hours_already_used_reduce_the_claim_and_say_so(rules: RuleBook) -> None:
    decision = decide_vov(reg(prior_use=[{"region": "brussels", "hours": "80"}]), course(), rules)
    assert decision.claimable_hours == D("45.00")  # 125 - 80
    assert decision.refund_eur == D("958.50")  # 45 h x EUR 21.30
    assert any("same course" in r for r in decision.provisional_reasons)
    exhausted = decide_vov(reg(prior_use=[{"region": "brussels", "hours": "125"}]), course(), rules)
    assert failed(exhausted) == {"vov.cap"} and exhausted.refund_eur == 0


@pytest.mark.parametrize(
    ("filed", "passed"),
    [
        (date(2024, 7, 1), True),  # 3 months before 2024-10-01: first day
        (date(2024, 6, 30), False),
        (date(2025, 1, 1), True),  # 3 months after: last day
        (date(2025, 1, 2), False),
    ],
)
def test_refund_window(rules: RuleBook, filed: date, passed: bool) -> None:
    decision = decide_vov(reg(), course(), rules, VovFacts(filed_on=filed))
    assert ("vov.refund-window" not in failed(decision)) is passed


@pytest.mark.parametrize(
    ("start", "wage", "kept", "cap"),
    [
        ("2024-10-01", "5000.00", "3641.00", "3641.00"),
        ("2025-10-01", "5000.00", "3714.00", "3714.00"),
        ("2025-10-01", "3000.00", "3000.00", "3714.00"),
        ("2022-10-01", "5000.00", "5000.00", None),  # no figure for 2022-23: not invented
    ],
)
def test_wage_cap(rules: RuleBook, start: str, wage: str, kept: str, cap: str | None) -> None:
    end = f"{int(start[:4]) + 1}-06-30"
    decision = decide_vov(
        reg(start_date=start, end_date=end), course(), rules, VovFacts(monthly_wage_eur=D(wage))
    )
    assert decision.wage_kept_month_eur == D(kept)
    assert decision.wage_cap_month_eur == (None if cap is None else D(cap))
    if cap is None:
        assert any("no wage-cap figure" in r for r in decision.provisional_reasons)


def test_region_sector_and_course_flags(rules: RuleBook) -> None:
    brussels = reg(establishment_unit={"number": "2123456001", "region": "brussels"})
    assert failed(decide_vov(brussels, course(), rules)) == {"vov.flemish-region"}
    public = reg(employer={"sector": "public"})
    assert failed(decide_vov(public, course(), rules)) == {"vov.private-sector"}
    not_vov = course(incentives={"vov": False, "training_vouchers": True, "vok": True})
    assert failed(decide_vov(reg(), not_vov, rules)) == {"vov.course-incentive"}
    stopped = course(status="stopped")
    assert failed(decide_vov(reg(), stopped, rules)) == {"vov.course-active"}


def test_fraction_read_in_another_month_is_provisional(rules: RuleBook) -> None:
    decision = decide_vov(reg(employment={"reference_month": "2024-09"}), course(), rules)
    assert any("VOV reads March" in r for r in decision.provisional_reasons)


def test_a_course_into_the_next_year_counts_against_its_start_year(rules: RuleBook) -> None:
    decision = decide_vov(reg(end_date="2025-12-31"), course(), rules)
    assert decision.school_year == "2024-2025"
    assert any("belongs to the school year it starts" in r for r in decision.provisional_reasons)


def test_2026_27_figures_are_assumed_and_said_so(rules: RuleBook) -> None:
    decision = decide_vov(
        reg(
            start_date="2026-10-01",
            end_date="2027-06-30",
            employment={"reference_month": "2026-03"},
        ),
        course(),
        rules,
    )
    assert any("vov.flat_rate_eur" in r and "assumed" in r for r in decision.provisional_reasons)


def test_out_of_data_and_mismatch_are_refused(rules: RuleBook) -> None:
    with pytest.raises(BrugValidationError) as info:
        decide_vov(reg(start_date="2027-10-01", end_date="2028-06-30"), course(), rules)
    assert info.value.violations[0].rule == "rules.unknown-school-year"
    with pytest.raises(BrugValidationError) as info:
        decide_vov(reg(), course(odb_number="CE-999999"), rules)
    assert info.value.violations[0].rule == "mapping.course-mismatch"


def test_every_check_names_its_source(rules: RuleBook) -> None:
    decision = decide_vov(reg(), course(), rules, VovFacts(D("80"), filed_on=date(2024, 10, 2)))
    assert decision.eligible and decision.complete
    assert all(c.source for c in decision.checks)
    assert {c.rule for c in decision.checks} == {
        "vov.flemish-region",
        "vov.private-sector",
        "vov.fraction",
        "vov.course-incentive",
        "vov.course-active",
        "vov.course-minimum",
        "vov.attendance",
        "vov.cap",
        "vov.refund-window",
    }
