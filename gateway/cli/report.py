"""``brug report evaluation``: the monitoring and evaluation figures of one school year.

Reads the gateway's own store (``--url``, else ``[store] url`` of ``--config`` / ``$BRUG_CONFIG``)
and writes the report as JSON, CSV or one offline HTML page, small cells suppressed
(docs/evaluation.md). Without ``--output`` it prints to stdout.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gateway.cli._common import console, fail_validation
from gateway.cli._store import URL_ENV, cli_errors, open_cli_store
from gateway.config import load_settings
from gateway.config.loader import config_path
from gateway.errors import BrugValidationError
from gateway.report.build import evaluation_report, render, write
from gateway.report.suppression import DEFAULT_THRESHOLD
from gateway.rules import schoolyear

NAME = "report"
app = typer.Typer(help="Figures for policy: the evaluation report.", no_args_is_help=True)


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


def _settings_store_and_threshold(config: Path | None) -> tuple[str | None, int]:
    """The configured store URL and suppression threshold (none configured: None, 5)."""
    if config_path(config) is None:
        return None, DEFAULT_THRESHOLD
    with cli_errors():
        try:
            settings = load_settings(config, check_files=False)
        except BrugValidationError as exc:
            fail_validation(exc)
    return settings.store.url, settings.report.suppression_threshold


@app.command("evaluation")
def evaluation(
    school_year: Annotated[str, typer.Option("--school-year", help="YYYY-YYYY, e.g. 2025-2026.")],
    config: Annotated[
        Path | None,
        typer.Option("--config", help="brug.toml: its [store] url and [report] threshold."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", envvar=URL_ENV, help="Database URL (overrides the config's)."),
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.HTML
    ),
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Directory to write evaluation-<year>.<format> into."),
    ] = None,
    threshold: Annotated[
        int | None,
        typer.Option(
            "--threshold",
            min=1,
            help="Suppress counts below this (default: [report] suppression_threshold, else 5).",
        ),
    ] = None,
) -> None:
    """Aggregate the school year's exchange (registrations, transfers, movers, career breaks,
    VOK candidates, exchange health) and write it with small cells suppressed."""
    try:
        schoolyear.check(school_year, path="--school-year")
    except BrugValidationError as exc:
        fail_validation(exc)
    configured_url, configured_threshold = _settings_store_and_threshold(config)
    store = open_cli_store(url or configured_url)
    try:
        with cli_errors():
            report = evaluation_report(
                store, school_year, threshold=threshold or configured_threshold
            )
    except BrugValidationError as exc:
        fail_validation(exc)
    finally:
        store.dispose()
    if output is None:
        sys.stdout.write(render(report, fmt.value))
        return
    with cli_errors():
        path = write(report, fmt.value, output)
    console.print(f"evaluation report {school_year} ({fmt.value}): {path}", highlight=False)
