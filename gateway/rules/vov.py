"""Flemish training leave (VOV) rules: eligibility by fraction, the hour cap, course minimum.

Used by the Brussels mapping to tell when a worker qualifies in one region only and by the
reverse mapping to say what Flanders will recompute; the figures come from :class:`VovRules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gateway.models.odb import Volume, VolumeUnit
from gateway.rules.quantities import ZERO, hours
from gateway.rules.ruledata import VovRules


@dataclass(frozen=True, slots=True)
class VovCap:
    """The VOV cap for one worker and school year, with why."""

    hours: Decimal
    eligible: bool
    joint_initiative_applied: bool
    explanation: str


def vov_eligible(rules: VovRules, fraction: Decimal) -> bool:
    """At least the minimum fraction (half-time; 80% under the unconfirmed 2025 decision)."""
    return fraction >= rules.min_fraction


def vov_cap(rules: VovRules, fraction: Decimal, *, joint_initiative: bool = False) -> VovCap:
    """125 h × fraction, plus the joint-initiative 125 h (max 250 h) in the years it exists.

    The extra hours are taken pro rata like the base (assumption, see docs/rules.md). A
    requested joint initiative in a year without confirmed data is not applied, and says so.
    """
    if not vov_eligible(rules, fraction):
        return VovCap(
            ZERO,
            False,
            False,
            f"fraction {fraction} below the VOV minimum {rules.min_fraction} in "
            f"{rules.school_year}",
        )
    full_time = rules.cap_hours
    applied = False
    note = ""
    if joint_initiative:
        if rules.joint_initiative_extra_hours is None:
            note = f"; joint initiative not in the rule data for {rules.school_year}"
        else:
            full_time = min(full_time + rules.joint_initiative_extra_hours, rules.max_hours)
            applied = True
            note = f"; joint initiative +{rules.joint_initiative_extra_hours} h"
    capped = hours(full_time * fraction)
    return VovCap(capped, True, applied, f"{full_time} h × fraction {fraction}{note}")


def vov_course_meets_minimum(rules: VovRules, volume: Volume) -> bool:
    """32 contact hours, 32 lesson periods or 3 study points (per rule data)."""
    minimum = rules.course_minimum
    threshold = {
        VolumeUnit.HOURS: minimum.contact_hours,
        VolumeUnit.LESSON_PERIODS: minimum.lesson_periods,
        VolumeUnit.STUDY_POINTS: minimum.study_points,
    }[volume.unit]
    return volume.amount >= threshold


def vov_attendance_ok(rules: VovRules, attended_hours: Decimal, contact_hours: Decimal) -> bool:
    """At least the minimum share of contact hours attended (from 2024-25; no rule before)."""
    if rules.attendance_minimum is None or contact_hours == 0:
        return True
    return attended_hours >= contact_hours * rules.attendance_minimum
