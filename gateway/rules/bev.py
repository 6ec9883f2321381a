"""Brussels paid educational leave (BEV) rules: fraction threshold, caps, claimable hours.

Since the 2023-24 reform a part-timer from 25% gets the full-time cap pro rata; the cap depends
on the course type and, for some courses or workers, a raised cap. Hours already used this
school year (also under another region's scheme) reduce what can still be claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gateway.models.bev import BevCourseType, RaisedCapReason
from gateway.models.parties import EducationLevel
from gateway.rules.quantities import ZERO, hours
from gateway.rules.ruledata import BevRules

#: Workers with at most a secondary certificate get the 130 h professional cap.
LOW_EDUCATION_LEVELS = frozenset({EducationLevel.LOW, EducationLevel.MEDIUM})


@dataclass(frozen=True, slots=True)
class BevCap:
    """The Brussels cap for one worker and course, with the reason that decided it."""

    hours: Decimal
    full_time_hours: Decimal
    eligible: bool
    reason: RaisedCapReason | None  # the raised-cap reason applied, None for the base cap
    ignored_reason: RaisedCapReason | None  # a requested reason this course type has no cap for


def bev_eligible(rules: BevRules, fraction: Decimal) -> bool:
    """From 25% of full time (edge included)."""
    return fraction >= rules.min_fraction


def bev_cap(
    rules: BevRules,
    course_type: BevCourseType,
    raised_reason: RaisedCapReason | None,
    education_level: EducationLevel | None,
    fraction: Decimal,
) -> BevCap:
    """The highest cap the course and worker qualify for, × fraction (pro rata).

    A worker with at most a secondary certificate qualifies for the low-education cap of a
    course type that has one (professional: 130 h) even when the course itself gives none;
    when both apply the higher wins (a bottleneck course stays at 180 h).
    """
    row = rules.caps[course_type]
    full_time = row.base
    reason: RaisedCapReason | None = None
    ignored: RaisedCapReason | None = None
    if raised_reason is not None:
        raised = row.raised.get(raised_reason)
        if raised is None:
            ignored = raised_reason
        elif raised > full_time:
            full_time, reason = raised, raised_reason
    if education_level in LOW_EDUCATION_LEVELS:
        low = row.raised.get(RaisedCapReason.LOW_EDUCATION)
        if low is not None and low > full_time:
            full_time, reason = low, RaisedCapReason.LOW_EDUCATION
    if not bev_eligible(rules, fraction):
        return BevCap(ZERO, full_time, False, reason, ignored)
    return BevCap(hours(full_time * fraction), full_time, True, reason, ignored)


def claimable_hours(contact_hours: Decimal, cap: Decimal, used: Decimal) -> Decimal:
    """max(0, min(contact hours, cap − hours already used)): never negative, never over cap."""
    room = cap - used
    if room <= 0:
        return ZERO
    return hours(min(contact_hours, room))
