"""Refund windows: when an employer may file for the flat-rate refund.

VOV counts from the course start (3 months before to 3 months after); BEV from the end of the
school year (1 September to 31 December after it). Both are stated in rule data as a
:class:`~gateway.rules.ruledata.RefundWindow`, so a changed deadline is a data change.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from gateway.rules import schoolyear
from gateway.rules.ruledata import RefundWindow


@lru_cache(maxsize=8192)
def refund_window(window: RefundWindow, *, start_date: date) -> tuple[date, date]:
    """First and last day (inclusive) on which a refund for a course starting ``start_date``
    may be filed.

    The school year for an ``after-school-year`` window is the course's own (the year it starts
    in), which is why the start date is all this needs.
    """
    if window.anchor == "course-start":
        return (
            schoolyear.add_months(start_date, -window.months_before),
            schoolyear.add_months(start_date, window.months_after),
        )
    anchor = date(start_date.year + (1 if start_date.month >= 9 else 0), 9, 1)
    return (
        schoolyear.add_months(anchor, -window.months_before),
        schoolyear.day_before(schoolyear.add_months(anchor, window.months_after)),
    )


def in_window(window: tuple[date, date], day: date) -> bool:
    return window[0] <= day <= window[1]
