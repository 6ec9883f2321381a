from datetime import date

import pytest

from gateway.rules.ruledata import RuleBook
from gateway.rules.windows import in_window, refund_window


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2024, 10, 15), (date(2024, 7, 15), date(2025, 1, 15))),
        (date(2024, 11, 30), (date(2024, 8, 30), date(2025, 2, 28))),
    ],
)
def test_vov_window_three_months_around_start(
    rules: RuleBook, start: date, expected: tuple[date, date]
) -> None:
    window = refund_window(rules.vov("2024-2025").refund_window, start_date=start)
    assert window == expected
    assert in_window(window, start)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 8, 31), (date(2025, 9, 1), date(2025, 12, 31))),  # 2024-25 course
        (date(2025, 9, 1), (date(2026, 9, 1), date(2026, 12, 31))),  # 2025-26 course
        (date(2024, 1, 10), (date(2024, 9, 1), date(2024, 12, 31))),
    ],
)
def test_bev_window_after_school_year(
    rules: RuleBook, start: date, expected: tuple[date, date]
) -> None:
    assert refund_window(rules.bev("2024-2025").refund_window, start_date=start) == expected
