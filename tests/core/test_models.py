"""Canonical model rules that are not identifiers: date order, periods, school years."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from gateway.models import Period, SchoolYear


def test_period_order_enforced() -> None:
    with pytest.raises(ValidationError):
        Period(begin=date(2025, 2, 1), end=date(2025, 1, 1))


def test_period_overlap_and_cover_with_open_ends() -> None:
    year = Period(begin=date(2024, 9, 1), end=date(2025, 8, 31))
    open_ended = Period(begin=date(2025, 3, 1))
    assert year.overlaps(open_ended)
    assert not year.covers(open_ended)
    assert open_ended.covers(Period(begin=date(2030, 1, 1), end=date(2030, 2, 1)))
    assert not Period(begin=date(2023, 1, 1), end=date(2023, 12, 31)).overlaps(year)
    # touching on one day counts as overlap
    assert Period(begin=date(2025, 8, 31), end=date(2025, 9, 30)).overlaps(year)


@pytest.mark.parametrize("value", ["2024-2025", "2019-2020"])
def test_school_year_valid(value: str) -> None:
    assert TypeAdapter(SchoolYear).validate_python(value) == value


@pytest.mark.parametrize("value", ["2024-2026", "2024/2025", "24-25", "2025-2024"])
def test_school_year_invalid(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(SchoolYear).validate_python(value)
