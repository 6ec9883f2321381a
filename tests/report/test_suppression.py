"""The small-cell rule (gateway/report/suppression.py, docs/evaluation.md): thresholds 4, 5 and
6 on fixed tables, and for any table: nothing small is shown and no total gives a hidden cell
back (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.report.formats import to_csv, to_json
from gateway.report.model import Report, Row, Table
from gateway.report.page import to_html
from gateway.report.suppression import hidden_cells, suppress, suppress_table


def one_column(*counts: int) -> Table:
    return Table(
        key="t",
        title="t",
        row_label="rule",
        columns=("count",),
        rows=[Row(f"r{i}", {"count": n}) for i, n in enumerate(counts)],
    )


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (4, [4, 5, 6, 20, 35]),  # 4 is not below 4: nothing hidden
        (5, ["<5", "x", 6, 20, 35]),  # 4 hidden; 5, the smallest other, hidden with it
        (6, ["<6", "<6", 6, 20, 35]),  # 4 and 5 below 6: two hidden, the total stays
    ],
)
def test_thresholds_four_five_six(threshold: int, expected: list[object]) -> None:
    shown = suppress_table(one_column(4, 5, 6, 20), threshold)
    assert [row.cells["count"] for row in shown.rows] + [shown.total.cells["count"]] == expected  # type: ignore[union-attr]


def test_zero_is_shown_and_a_lone_small_cell_hides_the_total() -> None:
    shown = suppress_table(one_column(0, 3, 0), 5)
    assert [row.cells["count"] for row in shown.rows] == [0, "<5", 0]
    assert shown.total is not None and shown.total.cells["count"] == "<5"


def test_a_total_that_would_give_a_hidden_cell_back_is_hidden() -> None:
    # a row whose only other cell is zero: the row total equals the hidden cell
    table = Table(
        key="t",
        title="t",
        row_label="region",
        columns=("a", "b"),
        rows=[Row("x", {"a": 2, "b": 0}), Row("y", {"a": 10, "b": 10})],
        total_column=True,
    )
    hidden = hidden_cells(table, 5)
    assert hidden[(0, "a")] == "<5" and (0, "total") in hidden


def test_measures_follow_their_count() -> None:
    table = Table(
        key="t",
        title="t",
        row_label="type",
        columns=("count",),
        rows=[Row("a", {"count": 2}, {"hours": 80.0}), Row("b", {"count": 9}, {"hours": 9.5})],
        measures=("hours",),
    )
    shown = suppress_table(table, 5)
    assert shown.rows[0].cells == {"count": "<5", "hours": "x"}
    assert shown.rows[1].cells == {"count": "x", "hours": "x"}


def test_every_format_shows_the_marks_and_never_the_small_count() -> None:
    report = Report(
        "2025-2026",
        datetime(2026, 3, 1, tzinfo=UTC),
        [one_column(3, 2, 40)],
        [],
    )
    # the section name must be one the page knows: use a table key the page does not chart
    shown = suppress(report, 5)
    text = to_json(shown)
    assert '"<5"' in text and '"count": 3' not in text and '"count": 2' not in text
    csv_text = to_csv(shown)
    assert ",r0,count,<5" in csv_text and ",r0,count,3" not in csv_text


grids = st.lists(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4),
    min_size=1,
    max_size=6,
).filter(lambda rows: len({len(r) for r in rows}) == 1)


@settings(max_examples=300, deadline=None)
@given(grid=grids, threshold=st.integers(min_value=2, max_value=10))
def test_no_small_count_shown_and_no_hidden_cell_recomputable(
    grid: list[list[int]], threshold: int
) -> None:
    columns = tuple(f"c{i}" for i in range(len(grid[0])))
    table = Table(
        key="t",
        title="t",
        row_label="r",
        columns=columns,
        rows=[Row(f"r{i}", dict(zip(columns, row, strict=True))) for i, row in enumerate(grid)],
        total_column=True,
    )
    shown = suppress_table(table, threshold)
    everything = [*shown.rows, shown.total]
    for row in everything:
        assert row is not None
        for value in row.cells.values():
            assert not (isinstance(value, int) and 0 < value < threshold)
    hidden = hidden_cells(table, threshold)
    indices = [*range(len(grid)), -1]
    lines = [([(i, c) for c in columns], (i, "total")) for i in indices]
    lines += [([(i, c) for i in range(len(grid))], (-1, c)) for c in (*columns, "total")]
    for parts, total in lines:
        if total not in hidden:
            assert sum(1 for p in parts if p in hidden) != 1


def test_the_page_escapes_labels_and_draws_no_hidden_cell() -> None:
    from tests.report.seed import YEAR

    tables = [
        Table(
            key=key,
            title=key,
            row_label="x",
            columns=columns,
            rows=[Row("<script>", dict.fromkeys(columns, 3))],
        )
        for key, columns in (
            ("registrationsByRegion", ("routed", "notBrussels", "refused")),
            ("registrationsByMonth", ("routed", "notBrussels", "refused")),
            ("refusalsByRule", ("count",)),
            ("transfersByStatus", ("count",)),
            ("hoursClaimable", ("count",)),
            ("hoursAgainstCap", ("count",)),
            ("trainingTimeCredit", ("count",)),
            ("vokComparison", ("count",)),
            ("vokCandidatesByMonth", ("count",)),
        )
    ]
    for table in tables:
        if table.key in ("registrationsByRegion", "registrationsByMonth"):
            table.total_column = True
    page = to_html(suppress(Report(YEAR, datetime(2026, 3, 1, tzinfo=UTC), tables, []), 5))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<td>3</td>" not in page
    assert "hidden cell(s)" in page
    # nothing to fetch: no script, no stylesheet or image from elsewhere
    for fetch in ("<script", "<link", "<img", "@import", "url(http", 'href="http', 'src="'):
        assert fetch not in page
