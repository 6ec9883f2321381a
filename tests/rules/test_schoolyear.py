from datetime import date

import pytest

from gateway.errors import BrugValidationError
from gateway.rules import schoolyear


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
