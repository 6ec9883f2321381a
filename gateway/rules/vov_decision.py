"""The Flemish decision on a VOV registration: every rule, its result and its source.

Until issue 14 brug used the VOV rules only to compare with Brussels; a Flemish registration
itself was never decided. This module decides one, from the registration, its ODB course and
the rule data of the school year the course starts in (domain.md: for VOV a course belongs to
the school year in which it starts): region and sector, employment fraction, course size,
attendance (from 2024-25), the hour cap, the flat rate, the wage cap and the refund window.

Facts the registration does not hold (attended hours, the filing date, the monthly wage) are
optional: without them the rule is "not evaluated" and the decision provisional, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gateway.errors import BrugValidationError, Violation
from gateway.models.common import Region
from gateway.models.odb import CourseStatus, OdbCourse
from gateway.models.parties import Sector
from gateway.models.vok import RuleCheck
from gateway.models.vov import VovRegistration
from gateway.models.vov_check import VovDecision
from gateway.rules import schoolyear
from gateway.rules.bev import claimable_hours
from gateway.rules.quantities import ZERO, euros, hours
from gateway.rules.ruledata import FractionReference, RuleBook, VovRules
from gateway.rules.vov import vov_cap, vov_course_meets_minimum
from gateway.rules.windows import in_window, refund_window

NOT_EVALUATED = "not evaluated"
DOMAIN = "domain.md, VOV (vlaanderen.be, sdworx, securex, prato)"


@dataclass(frozen=True, slots=True)
class VovFacts:
    """What the caller knows beyond the registration (all optional)."""

    attended_hours: Decimal | None = None
    final_assessment: bool = False
    filed_on: date | None = None
    monthly_wage_eur: Decimal | None = None


def _course_matches(reg: VovRegistration, course: OdbCourse) -> bool:
    return reg.odb_number == course.odb_number or any(
        m.odb_number == reg.odb_number for m in course.modules
    )


def decide_vov(
    reg: VovRegistration, course: OdbCourse, rules: RuleBook, facts: VovFacts | None = None
) -> VovDecision:
    """Decide ``reg``; BrugValidationError when the course is not the registration's or no
    rule data covers its school year (``rules.unknown-school-year``)."""
    facts = facts or VovFacts()
    school_year = schoolyear.school_year_of(reg.start_date)
    problems: list[Violation] = []
    if not _course_matches(reg, course):
        problems.append(
            Violation(
                "course.odb_number",
                "mapping.course-mismatch",
                f"the course is not the registration's ODB number {reg.odb_number} nor has it "
                "as a module",
                course.odb_number,
            )
        )
    view: VovRules | None = None
    try:
        view = rules.vov(school_year, path="registration.start_date")
    except BrugValidationError as exc:
        problems.extend(exc.violations)
    if problems or view is None:
        raise BrugValidationError(problems, context="VOV registration")
    src = view.sources
    checks: list[RuleCheck] = []
    reasons: list[str] = list(view.provisional)

    def check(rule: str, passed: bool, message: str, source: str, evaluated: bool = True) -> None:
        checks.append(
            RuleCheck(rule=rule, passed=passed, evaluated=evaluated, message=message, source=source)
        )

    # -- who: region, sector, fraction -----------------------------------------------------------
    region = reg.establishment_unit.region
    check(
        "vov.flemish-region",
        region is Region.FLANDERS,
        f"establishment unit in {region}"
        + ("" if region is Region.FLANDERS else ": a Brussels unit is BEV (brug map vov-to-bev)"),
        f"{DOMAIN}: the establishment unit declared in the DmfA decides",
    )
    sector = reg.employer.sector
    check(
        "vov.private-sector",
        sector is Sector.PRIVATE,
        f"{sector} sector",
        f"{DOMAIN}: employees in the private sector",
    )
    fraction = reg.employment.fraction
    check(
        "vov.fraction",
        fraction >= view.min_fraction,
        f"fraction {fraction} (minimum {view.min_fraction} in {school_year})",
        src.get("min_fraction", DOMAIN),
    )
    if view.fraction_reference is FractionReference.MARCH_BEFORE:
        expected = schoolyear.march_before(school_year)
        if reg.employment.reference_month != expected:
            reasons.append(
                f"the fraction was read in {reg.employment.reference_month}; VOV reads March "
                f"before the school year ({expected}): recompute with that month's fraction"
            )
    elif view.fraction_reference is None:
        reasons.append(f"no confirmed reference month for the fraction in {school_year}")

    # -- the course ----------------------------------------------------------------------------
    check(
        "vov.course-incentive",
        course.incentives.vov,
        "the ODB course counts for VOV" if course.incentives.vov else "not a VOV course in the ODB",
        f"{DOMAIN}: ODB incentive flags",
    )
    valid = course.status is CourseStatus.ACTIVE and (
        course.valid_from <= reg.start_date
        and (course.valid_until is None or reg.start_date <= course.valid_until)
    )
    check(
        "vov.course-active",
        valid,
        "active and valid at the course start"
        if valid
        else (
            "the course is stopped"
            if course.status is not CourseStatus.ACTIVE
            else "the course start is outside the ODB validity"
        ),
        f"{DOMAIN}: ODB status and dates",
    )
    minimum = view.course_minimum
    size_ok = vov_course_meets_minimum(view, course.volume)
    check(
        "vov.course-minimum",
        size_ok,
        f"{course.volume.amount} {course.volume.unit} (minimum {minimum.contact_hours} contact "
        f"hours, {minimum.lesson_periods} lesson periods or {minimum.study_points} study points)",
        src.get("course_minimum", DOMAIN),
    )

    # -- attendance (from 2024-25) ---------------------------------------------------------------
    if view.attendance_minimum is None:
        check("vov.attendance", True, f"no attendance rule in {school_year}", DOMAIN)
    elif facts.final_assessment:
        check(
            "vov.attendance",
            True,
            "took part in the final assessment (enough for some course types)",
            src.get("attendance_minimum", DOMAIN),
        )
        reasons.append(
            "attendance passed on the final assessment: which course types this covers is not "
            "in the sources"
        )
    elif facts.attended_hours is None:
        check(
            "vov.attendance",
            True,
            f"{NOT_EVALUATED}: attended hours unknown (minimum {view.attendance_minimum:.0%})",
            src.get("attendance_minimum", DOMAIN),
            evaluated=False,
        )
    else:
        needed = hours(reg.contact_hours * view.attendance_minimum)
        check(
            "vov.attendance",
            facts.attended_hours >= needed,
            f"{facts.attended_hours} of {reg.contact_hours} contact hours attended "
            f"(minimum {needed})",
            src.get("attendance_minimum", DOMAIN),
        )

    # -- the cap, the hours, the money ------------------------------------------------------------
    cap = vov_cap(view, fraction, joint_initiative=reg.joint_initiative)
    used = hours(sum((p.hours for p in reg.prior_use), ZERO))
    claimable = claimable_hours(reg.contact_hours, cap.hours, used)
    check(
        "vov.cap",
        claimable > 0,
        f"cap {cap.hours} h ({cap.explanation}); {used} h already used this school year; "
        f"{claimable} h claimable",
        src.get("cap_hours", DOMAIN),
    )
    if reg.joint_initiative and not cap.joint_initiative_applied:
        reasons.append(f"joint initiative asked but not in the rule data for {school_year}")
    if reg.prior_use:
        reasons.append(
            "hours already used are subtracted as given: brug cannot tell whether they were "
            "spent on this same course"
        )
    if reg.end_date > schoolyear.bounds(school_year)[1]:
        reasons.append(
            f"the course runs past {school_year}: for VOV it belongs to the school year it starts "
            "in (domain.md), so all its hours count against that year's cap"
        )
    window = refund_window(view.refund_window, start_date=reg.start_date)
    if facts.filed_on is None:
        check(
            "vov.refund-window",
            True,
            f"{NOT_EVALUATED}: no filing date (window {window[0]}..{window[1]})",
            src.get("refund_window", DOMAIN),
            evaluated=False,
        )
    else:
        check(
            "vov.refund-window",
            in_window(window, facts.filed_on),
            f"filed on {facts.filed_on}; window {window[0]}..{window[1]}",
            src.get("refund_window", DOMAIN),
        )
    wage_kept = None
    if view.wage_cap_month_eur is None:
        reasons.append(f"no wage-cap figure in the rule data for {school_year}")
    if facts.monthly_wage_eur is not None:
        wage_kept = (
            facts.monthly_wage_eur
            if view.wage_cap_month_eur is None
            else min(facts.monthly_wage_eur, view.wage_cap_month_eur)
        )
    eligible = all(c.passed for c in checks)
    unchecked = [c.rule for c in checks if not c.evaluated]
    if unchecked:
        reasons.append(f"not evaluated, facts not given: {', '.join(unchecked)}")
    return VovDecision(
        registration_id=reg.registration_id,
        insz=reg.worker.insz,
        odb_number=reg.odb_number,
        school_year=school_year,
        eligible=eligible,
        fraction=fraction,
        cap_hours=cap.hours,
        hours_already_used=used,
        claimable_hours=claimable if eligible else ZERO,
        flat_rate_eur=view.flat_rate_eur,
        refund_eur=euros(claimable * view.flat_rate_eur) if eligible else euros(ZERO),
        wage_cap_month_eur=view.wage_cap_month_eur,
        wage_kept_month_eur=None if wage_kept is None else euros(wage_kept),
        refund_window_start=window[0],
        refund_window_end=window[1],
        rule_data_version=view.version,
        checks=tuple(checks),
        complete=not unchecked,
        provisional=bool(reasons),
        provisional_reasons=tuple(reasons),
    )
