"""School years: the unit every Belgian training-leave scheme counts in.

A school year runs from 1 September to 31 August. For VOV a course belongs to the school year
in which it *starts* (domain.md), so a course starting on 31 August 2025 uses the 2024-2025 cap
and rates, one starting on 1 September 2025 the 2025-2026 ones. The sources say that for VOV
only: for BEV brug splits the hours of a course that runs into a later school year by its dates
(:func:`split_hours`) and applies each year's cap and window to its own share. Keeping this in
one module stops each mapping from re-deriving the boundary (and getting 31 August wrong).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from gateway.errors import BrugValidationError, Violation

_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")

#: First month of a school year.
START_MONTH = 9


def is_school_year(value: str) -> bool:
    """True for "YYYY-YYYY" with consecutive years."""
    match = _PATTERN.match(value)
    return bool(match) and int(match.group(2)) == int(match.group(1)) + 1  # type: ignore[union-attr]


def start_year(school_year: str, *, path: str = "school_year") -> int:
    """The calendar year in which ``school_year`` starts; BrugValidationError if malformed."""
    if not is_school_year(school_year):
        raise BrugValidationError(
            [
                Violation(
                    path,
                    "school-year.format",
                    "a school year is written YYYY-YYYY (consecutive years), e.g. 2024-2025",
                    school_year,
                )
            ],
            context="school year",
        )
    return int(school_year[:4])


def check(school_year: str, *, path: str = "school_year") -> str:
    """``school_year`` if well-formed, else BrugValidationError (rule school-year.format)."""
    start_year(school_year, path=path)
    return school_year


@lru_cache(maxsize=4096)
def school_year_of(day: date) -> str:
    """The school year ``day`` falls in (1 September to 31 August)."""
    first = day.year if day.month >= START_MONTH else day.year - 1
    return f"{first}-{first + 1}"


def from_start_year(year: int) -> str:
    return f"{year}-{year + 1}"


@lru_cache(maxsize=512)
def bounds(school_year: str) -> tuple[date, date]:
    """First and last day (inclusive) of ``school_year``."""
    first = start_year(school_year)
    return date(first, 9, 1), date(first + 1, 8, 31)


def next_school_year(school_year: str) -> str:
    return from_start_year(start_year(school_year) + 1)


def previous_school_year(school_year: str) -> str:
    return from_start_year(start_year(school_year) - 1)


def contains(school_year: str, day: date) -> bool:
    first, last = bounds(school_year)
    return first <= day <= last


def march_before(school_year: str) -> str:
    """Reference month ("YYYY-03") VOV reads the employment fraction from since 2023-2024."""
    return f"{start_year(school_year)}-03"


def september_of(school_year: str) -> str:
    """Reference month ("YYYY-09") BEV reads the employment fraction from (or the start month)."""
    return f"{start_year(school_year)}-09"


def month_of(day: date) -> str:
    """ "YYYY-MM", the form :class:`gateway.models.Employment` uses for reference months."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """``day`` shifted by whole months, clamped to the month's last day (30 Nov + 3 → 28/29 Feb).

    Refund windows are stated in months ("3 months before the start"); clamping keeps a window
    ending on 31 May from turning into 1 June.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def day_before(day: date) -> date:
    return day - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SchoolYearShare:
    """The part of a course that falls in one school year, and its hours."""

    school_year: str
    first: date
    last: date
    hours: Decimal


def split_hours(start: date, end: date, total: Decimal) -> tuple[SchoolYearShare, ...]:
    """``total`` hours of a course from ``start`` to ``end`` split by school year, pro rata to
    the calendar days of the course in each (both ends inclusive).

    The sources give no timetable, so days are the only measure the dates carry: a course from
    1 September 2023 to 30 June 2025 puts 366/669 of its hours in 2023-2024. Shares are rounded
    to the cent, half up; the last share takes the remainder so that they add up to ``total``.
    A course within one school year is one share with every hour.
    """
    if end < start:
        raise ValueError("end before start")
    year = start.year if start.month >= START_MONTH else start.year - 1
    if end <= date(year + 1, 8, 31):
        return (SchoolYearShare(from_start_year(year), start, end, total),)
    days = (end - start).days + 1
    shares: list[SchoolYearShare] = []
    given = Decimal(0)
    first = start
    while True:
        last = date(year + 1, 8, 31)
        if end <= last:
            shares.append(SchoolYearShare(from_start_year(year), first, end, total - given))
            return tuple(shares)
        amount = (total * ((last - first).days + 1) / days).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        given += amount
        shares.append(SchoolYearShare(from_start_year(year), first, last, amount))
        year += 1
        first = date(year, START_MONTH, 1)
