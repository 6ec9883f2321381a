"""VOK rules that depend only on rule data: course volume, the months decided, the premium.

The federal time credit with a training motive requires an intensive course (CAO 103, as
domain.md states it from rva.be / werk.belgie.be: 360 h a year or 120 h a quarter, 27 / 9 study
points; 300 / 100 h for basic education or a secondary diploma). VOK adds a *monthly* premium
per reduction, plus a supplement for single people, so a decision is made month by month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gateway.models.career_break import Period
from gateway.models.odb import OdbCourse, VolumeUnit
from gateway.models.vok import Reduction
from gateway.rules import schoolyear
from gateway.rules.quantities import euros
from gateway.rules.ruledata import VokRules

#: An open-ended period is decided for one year from its start (and says so).
OPEN_END_MONTHS = 12


@dataclass(frozen=True, slots=True)
class VolumeCheck:
    passed: bool
    message: str


def period_end(period: Period) -> date:
    """The last day decided: the period's end, or one year from its start when open."""
    if period.end is not None:
        return period.end
    return schoolyear.day_before(schoolyear.add_months(period.begin, OPEN_END_MONTHS))


def started_blocks(begin: date, end: date, months: int) -> int:
    """How many blocks of ``months`` months, counted from ``begin``, the days to ``end`` start.

    Counted from the period's own first day, not by calendar month: 2025-01-15 .. 2026-01-14
    is exactly one year (one block of 12), 2025-01-15 .. 2026-01-15 starts a second one.
    """
    count = 1
    while schoolyear.add_months(begin, months * count) <= end:
        count += 1
    return count


def volume_check(rules: VokRules, course: OdbCourse, period: Period) -> VolumeCheck:
    """The course volume meets the yearly or the quarterly minimum over the period.

    The ODB gives the course's total volume. The source states a minimum *per year* or *per
    quarter*; brug requires the total to reach the yearly minimum for every started year of the
    period, or the quarterly minimum for every started quarter, years and quarters counted from
    the period's first day (see docs/rules.md, "VOK course volume"). Passing either is enough:
    360 h over one year passes, 120 h over one quarter passes, 240 h over six months passes
    quarterly. Study points use 27 / 9; basic education and secondary-diploma courses 300 /
    100 h; lesson periods count as hours.
    """
    volume = rules.volume
    end = period_end(period)
    years = started_blocks(period.begin, end, 12)
    quarters = started_blocks(period.begin, end, 3)
    amount = course.volume.amount
    if course.volume.unit is VolumeUnit.STUDY_POINTS:
        per_year, per_quarter, unit = (
            volume.study_points_per_year,
            volume.study_points_per_quarter,
            "study points",
        )
    elif course.course_type in volume.reduced_course_types:
        per_year, per_quarter, unit = (
            volume.reduced_hours_per_year,
            volume.reduced_hours_per_quarter,
            "hours (basic education / secondary diploma)",
        )
    else:
        per_year, per_quarter, unit = volume.hours_per_year, volume.hours_per_quarter, "hours"
    yearly_needed = per_year * years
    quarterly_needed = per_quarter * quarters
    passed = amount >= yearly_needed or amount >= quarterly_needed
    message = (
        f"{amount} {unit} from {period.begin} to {end}: {years} started year(s) need "
        f"{yearly_needed} ({per_year} a year), or {quarters} started quarter(s) need "
        f"{quarterly_needed} ({per_quarter} a quarter)"
    )
    return VolumeCheck(passed, message)


@dataclass(frozen=True, slots=True)
class MonthSpan:
    """The days of one calendar month that fall in the decided period."""

    month: str  # "YYYY-MM"
    first: date
    last: date
    days_in_month: int

    @property
    def partial(self) -> bool:
        return (self.last - self.first).days + 1 < self.days_in_month


def month_spans(begin: date, end: date) -> tuple[MonthSpan, ...]:
    """Every calendar month from ``begin`` to ``end``, clipped to those days."""
    spans: list[MonthSpan] = []
    year, month = begin.year, begin.month
    while (year, month) <= (end.year, end.month):
        days = calendar.monthrange(year, month)[1]
        first = max(begin, date(year, month, 1))
        last = min(end, date(year, month, days))
        spans.append(MonthSpan(f"{year:04d}-{month:02d}", first, last, days))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(spans)


def premium(rules: VokRules, reduction: Reduction, *, lives_alone: bool) -> tuple[Decimal, Decimal]:
    """(monthly premium, single supplement) in euros; the supplement is 0 for a shared home."""
    base = euros(rules.premium_eur[reduction])
    supplement = euros(rules.single_supplement_eur) if lives_alone else euros(Decimal(0))
    return base, supplement


def retroactive_limit(rules: VokRules, applied_on: date) -> date:
    """Earliest day the premium can still be paid for, applying on ``applied_on``."""
    return schoolyear.add_months(applied_on, -rules.retroactive_months)
