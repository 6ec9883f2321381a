"""Build, render and write the evaluation report (see the package docstring)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from adapters.federal.codes import CodeTable
from gateway.report.formats import to_csv, to_json
from gateway.report.model import ShownReport
from gateway.report.queries import evaluation
from gateway.report.suppression import DEFAULT_THRESHOLD, suppress
from gateway.store.database import Store

Format = Literal["json", "csv", "html"]
FORMATS: tuple[Format, ...] = ("json", "csv", "html")
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def evaluation_report(
    store: Store,
    school_year: str,
    *,
    codes: CodeTable | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> ShownReport:
    """The school year's figures as they may be shown (raises BrugValidationError on a bad
    school year, ValueError on a threshold below 1)."""
    if threshold < 1:
        raise ValueError("the suppression threshold is at least 1 (1 shows every count)")
    raw = evaluation(store, school_year, codes or CodeTable.load())
    return suppress(raw, threshold)


def render(report: ShownReport, fmt: Format) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    from gateway.report.page import to_html  # matplotlib is loaded for the page only

    return to_html(report)


def write(report: ShownReport, fmt: Format, directory: Path) -> Path:
    """Write ``evaluation-<school year>.<fmt>`` into ``directory`` (created); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"evaluation-{report.school_year}.{fmt}"
    path.write_text(render(report, fmt), encoding="utf-8")
    return path


__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "MEDIA_TYPES",
    "Format",
    "ShownReport",
    "evaluation_report",
    "render",
    "write",
]
