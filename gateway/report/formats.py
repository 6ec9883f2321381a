"""The report as JSON and CSV: what the CLI writes and the REST API answers.

Both take a :class:`~gateway.report.model.ShownReport` (counts already suppressed). Names are
lowerCamelCase (Belgif); a hidden cell is the string ``"<5"`` (below the threshold) or ``"x"``
(hidden so that a total cannot give a small cell back), a missing measure ``null``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from gateway.report.model import ShownReport, ShownRow, ShownTable


def _row(row: ShownRow) -> dict[str, Any]:
    return {"label": row.label, "values": dict(row.cells)}


def _table(table: ShownTable) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": table.key,
        "title": table.title,
        "section": table.section,
        "rowLabel": table.row_label,
        "columns": list(table.columns),
        "rows": [_row(r) for r in table.rows],
    }
    if table.total is not None:
        out["total"] = _row(table.total)
    if table.note:
        out["note"] = table.note
    return out


def as_dict(report: ShownReport) -> dict[str, Any]:
    return {
        "schoolYear": report.school_year,
        "generatedAt": report.generated_at.isoformat(timespec="seconds"),
        "suppression": {
            "threshold": report.threshold,
            "belowThreshold": f"<{report.threshold}",
            "complementary": "x",
            "rule": "docs/evaluation.md",
        },
        "notes": list(report.notes),
        "tables": [_table(t) for t in report.tables],
    }


def to_json(report: ShownReport) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n"


CSV_HEADER = ("schoolYear", "section", "table", "rowLabel", "row", "column", "value")


def to_csv(report: ShownReport) -> str:
    """One line per cell (long format): loads into a spreadsheet or a pivot table as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for table in report.tables:
        rows = [*table.rows, *([table.total] if table.total is not None else [])]
        for row in rows:
            for column in table.columns:
                value = row.cells.get(column)
                writer.writerow(
                    (
                        report.school_year,
                        table.section,
                        table.key,
                        table.row_label,
                        row.label,
                        column,
                        "" if value is None else value,
                    )
                )
    return buffer.getvalue()
