from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.errors import BrugValidationError
from gateway.rules import schoolyear
from gateway.rules.schoolyear import school_year_of, split_hours


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 8, 31), "2024-2025"),  # last day belongs to the year that started before
        (date(2025, 9, 1), "2025-2026"),  # first day of the new year
        (date(2025, 1, 15), "2024-2025"),
        (date(2019, 9, 1), "2019-2020"),
        (date(2024, 2, 29), "2023-2024"),
    ],
)
def test_school_year_of_boundaries(day: date, expected: str) -> None:
    assert schoolyear.school_year_of(day) == expected


def test_bounds_and_neighbours() -> None:
    assert schoolyear.bounds("2024-2025") == (date(2024, 9, 1), date(2025, 8, 31))
    assert schoolyear.next_school_year("2024-2025") == "2025-2026"
    assert schoolyear.previous_school_year("2024-2025") == "2023-2024"
    assert schoolyear.contains("2024-2025", date(2025, 8, 31))
    assert not schoolyear.contains("2024-2025", date(2025, 9, 1))


@pytest.mark.parametrize("bad", ["2024-2026", "2024/2025", "24-25", "", "2025-2024"])
def test_malformed_school_year(bad: str) -> None:
    assert not schoolyear.is_school_year(bad)
    with pytest.raises(BrugValidationError) as info:
        schoolyear.bounds(bad)
    assert info.value.violations[0].rule == "school-year.format"


def test_reference_months() -> None:
    assert schoolyear.march_before("2024-2025") == "2024-03"
    assert schoolyear.september_of("2024-2025") == "2024-09"
    assert schoolyear.month_of(date(2025, 2, 3)) == "2025-02"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # clamped to the month end
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # leap year
        (date(2024, 5, 31), -3, date(2024, 2, 29)),
        (date(2024, 1, 15), -3, date(2023, 10, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert schoolyear.add_months(day, months) == expected


# --- hours split by school year (BEV; issue 14) ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "total", "expected"),
    [
        # within one school year, first and last day included: one share, every hour
        (date(2024, 9, 1), date(2025, 8, 31), "120", [("2024-2025", "120")]),
        # the last day of a school year and the first of the next: one day each
        (date(2025, 8, 31), date(2025, 9, 1), "10", [("2024-2025", "5.00"), ("2025-2026", "5.00")]),
        # September 2023 to June 2025: 366 of 669 days in 2023-24 (a leap year)
        (
            date(2023, 9, 1),
            date(2025, 6, 30),
            "300",
            [("2023-2024", "164.13"), ("2024-2025", "135.87")],
        ),
        # starting 2024-08-26: six days in 2023-24
        (
            date(2024, 8, 26),
            date(2025, 2, 26),
            "100",
            [("2023-2024", "3.24"), ("2024-2025", "96.76")],
        ),
        # four school years: 92, 366, 365 and 30 days of 853
        (
            date(2023, 6, 1),
            date(2025, 9, 30),
            "100",
            [
                ("2022-2023", "10.79"),
                ("2023-2024", "42.91"),
                ("2024-2025", "42.79"),
                ("2025-2026", "3.51"),
            ],
        ),
    ],
)
def test_split_hours_by_days(
    start: date, end: date, total: str, expected: list[tuple[str, str]]
) -> None:
    shares = split_hours(start, end, Decimal(total))
    assert [(s.school_year, str(s.hours)) for s in shares] == expected
    assert shares[0].first == start and shares[-1].last == end


@given(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(min_value=0, max_value=1500),
    st.decimals(min_value=0, max_value=9999, places=2),
)
def test_split_shares_add_up_and_tile_the_course(start: date, days: int, total: Decimal) -> None:
    end = start + timedelta(days=days)
    shares = split_hours(start, end, total)
    assert sum(s.hours for s in shares) == total
    assert all(s.hours >= 0 for s in shares)
    for a, b in pairwise(shares):
        assert (b.first - a.last).days == 1 and b.first.month == 9 and b.first.day == 1
    assert all(s.school_year == school_year_of(s.first) == school_year_of(s.last) for s in shares)
