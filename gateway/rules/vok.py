"""VOK rules that depend only on rule data: course volume and the premium amount.

The federal time credit with a training motive requires an intensive course (360 h a year or
120 h a quarter, 27 / 9 study points; 300 / 100 h for basic education or a secondary diploma);
VOK adds a monthly premium per reduction, plus a supplement for single people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gateway.models.career_break import Period
from gateway.models.odb import OdbCourse, VolumeUnit
from gateway.models.vok import Reduction
from gateway.rules import schoolyear
from gateway.rules.quantities import euros
from gateway.rules.ruledata import VokRules


@dataclass(frozen=True, slots=True)
class VolumeCheck:
    passed: bool
    message: str


def period_months(period: Period) -> int:
    """Calendar months the period touches (an open end counts as one year)."""
    if period.end is None:
        return 12
    return (period.end.year - period.begin.year) * 12 + period.end.month - period.begin.month + 1


def volume_check(rules: VokRules, course: OdbCourse, period: Period) -> VolumeCheck:
    """The course volume spread over the period meets the yearly or the quarterly minimum.

    The ODB gives the total volume; brug spreads it evenly over the quarters and the (started)
    years the period touches: a 10-month school-year course of 400 h meets "360 h a year",
    a 3-month course needs 120 h. Passing either test is enough (a long course at 360 h a
    year need not reach 120 h in every quarter). Lesson periods count as hours.
    """
    volume = rules.volume
    months = period_months(period)
    quarters = max(1, math.ceil(months / 3))
    years = max(1, math.ceil(months / 12))
    amount = course.volume.amount
    reduced = course.course_type in volume.reduced_course_types
    if course.volume.unit is VolumeUnit.STUDY_POINTS:
        per_year, per_quarter, unit = (
            volume.study_points_per_year,
            volume.study_points_per_quarter,
            "study points",
        )
    elif reduced:
        per_year, per_quarter, unit = (
            volume.reduced_hours_per_year,
            volume.reduced_hours_per_quarter,
            "hours (basic education / secondary diploma)",
        )
    else:
        per_year, per_quarter, unit = volume.hours_per_year, volume.hours_per_quarter, "hours"
    quarterly = amount / quarters
    yearly_ok = amount / years >= per_year
    quarterly_ok = quarterly >= per_quarter
    passed = yearly_ok or quarterly_ok
    message = (
        f"{amount} {unit} over {months} month(s): {quarterly.quantize(Decimal('0.01'))} per "
        f"quarter (minimum {per_quarter}) or {(amount / years).quantize(Decimal('0.01'))} a "
        f"year (minimum {per_year})"
    )
    return VolumeCheck(passed, message)


def premium(rules: VokRules, reduction: Reduction, *, lives_alone: bool) -> tuple[Decimal, Decimal]:
    """(monthly premium, single supplement) in euros; the supplement is 0 for a shared home."""
    base = euros(rules.premium_eur[reduction])
    supplement = euros(rules.single_supplement_eur) if lives_alone else euros(Decimal(0))
    return base, supplement


def retroactive_limit(rules: VokRules, applied_on: date) -> date:
    """Earliest day the premium can still be paid for, applying on ``applied_on``."""
    return schoolyear.add_months(applied_on, -rules.retroactive_months)
