"""Small-cell suppression: the one place where raw counts become what a reader may see.

The rule (``docs/evaluation.md``):

1. **Primary**: a count from 1 to ``threshold - 1`` is shown as ``"<threshold"`` (``"<5"``).
   Zero is shown: an empty cell says that nobody is there, not who is.
2. **Complementary**: a total must not give a hidden cell back by subtraction. For every set of
   cells that adds up to a shown total (a row and its total column, a column and the total row),
   one hidden cell alone would be recomputable: the smallest other non-zero cell of that set is
   hidden as well, shown ``"x"``; when there is none, the total itself is hidden (``"x"``).
   This repeats until no set has exactly one hidden cell under a shown total.
3. **Measures** (hours, latency) describe the people a count counts: they are hidden
   (``"x"``) whenever that count is.

Applied to every table before any format is written: the writers only accept its output.
"""

from __future__ import annotations

from gateway.report.model import Report, Shown, ShownReport, ShownRow, ShownTable, Table

DEFAULT_THRESHOLD = 5
TOTAL = "total"
COMPLEMENTARY = "x"

Cell = tuple[int, str]  # (row index, column); the total row has index -1


def _grid(table: Table) -> dict[Cell, int]:
    grid: dict[Cell, int] = {}
    for index, row in enumerate(table.rows):
        for column in table.columns:
            grid[(index, column)] = row.counts.get(column, 0)
        if table.total_column:
            grid[(index, TOTAL)] = sum(row.counts.get(c, 0) for c in table.columns)
    if table.total_row:
        for column in (*table.columns, *((TOTAL,) if table.total_column else ())):
            grid[(-1, column)] = sum(grid[(i, column)] for i in range(len(table.rows)))
    return grid


def _groups(table: Table) -> list[tuple[list[Cell], Cell]]:
    """Every (parts, total) whose parts add up to the total cell."""
    groups: list[tuple[list[Cell], Cell]] = []
    indices = [*range(len(table.rows)), *((-1,) if table.total_row else ())]
    if table.total_column:
        for i in indices:
            groups.append(([(i, c) for c in table.columns], (i, TOTAL)))
    if table.total_row:
        for column in (*table.columns, *((TOTAL,) if table.total_column else ())):
            groups.append(([(i, column) for i in range(len(table.rows))], (-1, column)))
    return groups


def hidden_cells(table: Table, threshold: int) -> dict[Cell, str]:
    """The cells to hide and their marks: primary ``"<t"``, complementary ``"x"``."""
    grid = _grid(table)
    hidden: dict[Cell, str] = {
        cell: f"<{threshold}" for cell, value in grid.items() if 0 < value < threshold
    }
    groups = _groups(table)
    changed = True
    while changed:
        changed = False
        for parts, total in groups:
            if total in hidden or sum(1 for p in parts if p in hidden) != 1:
                continue
            others = [p for p in parts if p not in hidden and grid[p] > 0]
            target = min(others, key=lambda p: (grid[p], p[0], p[1])) if others else total
            hidden[target] = COMPLEMENTARY
            changed = True
    return hidden


def _measure(value: float | None) -> Shown:
    return None if value is None else round(value, 2)


def suppress_table(table: Table, threshold: int) -> ShownTable:
    grid = _grid(table)
    hidden = hidden_cells(table, threshold)
    count_columns = (*table.columns, *((TOTAL,) if table.total_column else ()))

    def shown_row(index: int, label: str, measures: dict[str, float | None]) -> ShownRow:
        cells: dict[str, Shown] = {}
        for column in count_columns:
            cell = (index, column)
            cells[column] = hidden.get(cell, grid[cell])
        basis_hidden = (index, table.measure_basis) in hidden
        for name in table.measures:
            cells[name] = COMPLEMENTARY if basis_hidden else _measure(measures.get(name))
        return ShownRow(label, cells)

    rows = [shown_row(i, row.label, row.measures) for i, row in enumerate(table.rows)]
    total = None
    if table.total_row:
        sums: dict[str, float | None] = {}
        for name in table.measures:
            values = [r.measures.get(name) for r in table.rows]
            present = [v for v in values if v is not None]
            sums[name] = sum(present) if table.measure_total and present else None
        total = shown_row(-1, TOTAL, sums)
    return ShownTable(
        key=table.key,
        title=table.title,
        section=table.section,
        row_label=table.row_label,
        columns=(*count_columns, *table.measures),
        rows=rows,
        total=total,
        note=table.note,
    )


def suppress(report: Report, threshold: int = DEFAULT_THRESHOLD) -> ShownReport:
    """The report as it may be shown: every table through the rule above."""
    if threshold < 1:
        raise ValueError("the suppression threshold is at least 1 (1 shows every count)")
    return ShownReport(
        school_year=report.school_year,
        generated_at=report.generated_at,
        threshold=threshold,
        tables=[suppress_table(t, threshold) for t in report.tables],
        notes=list(report.notes),
    )
