"""The evaluation report as data: tables of counts, before and after suppression.

Queries (:mod:`gateway.report.queries`) fill :class:`Table` objects with raw counts; the one
suppression step (:mod:`gateway.report.suppression`) turns them into :class:`ShownTable` objects,
the only form the writers (JSON, CSV, HTML) accept. So no format can show a raw small count:
the type does not carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: What a cell shows: a count or a measure, or a suppression mark ("<5", "x").
Shown = int | float | str | None


@dataclass(slots=True)
class Row:
    """One line of a table: its label, its counts (one per column) and derived measures."""

    label: str
    counts: dict[str, int]
    measures: dict[str, float | None] = field(default_factory=dict)


@dataclass(slots=True)
class Table:
    """Counts of one breakdown, as the SQL aggregation returned them.

    ``columns`` are the count columns (each row has all of them); ``total_column`` adds a column
    that sums them per row, ``total_row`` a row that sums each column. ``measures`` are derived
    figures (hours, latency) that describe the people counted in ``measure_basis``: they are
    hidden whenever that count is.
    """

    key: str
    title: str
    row_label: str
    columns: tuple[str, ...]
    rows: list[Row]
    total_column: bool = False
    total_row: bool = True
    measures: tuple[str, ...] = ()
    measure_basis: str = "count"
    measure_total: bool = True  # sum the measures in the total row (hours: yes; latency: no)
    note: str = ""
    section: str = ""


@dataclass(slots=True)
class ShownRow:
    label: str
    cells: dict[str, Shown]


@dataclass(slots=True)
class ShownTable:
    """A table after suppression: what every format writes."""

    key: str
    title: str
    section: str
    row_label: str
    columns: tuple[str, ...]  # count columns, then "total" when there is one, then measures
    rows: list[ShownRow]
    total: ShownRow | None
    note: str


@dataclass(slots=True)
class Report:
    """The raw report of one school year (counts not yet suppressed)."""

    school_year: str
    generated_at: datetime
    tables: list[Table]
    notes: list[str]


@dataclass(slots=True)
class ShownReport:
    school_year: str
    generated_at: datetime
    threshold: int
    tables: list[ShownTable]
    notes: list[str]

    def table(self, key: str) -> ShownTable:
        return next(t for t in self.tables if t.key == key)
