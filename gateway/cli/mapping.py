"""``brug map``: run a mapping on files and print the target record with its report."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from lxml import etree
from pydantic import BaseModel

from adapters.brussels import xml as bev_xml
from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import bev_to_vov, vov_to_bev
from adapters.flanders import xml as flanders_xml
from gateway.cli._common import console, err_console, fail_validation
from gateway.cli._inputs import read_bev, read_course, read_vov
from gateway.cli._output import cli_header, report_table
from gateway.errors import BrugValidationError, Violation
from gateway.mapping.report import MappingResult
from gateway.models import Employment
from gateway.rules.ruledata import RuleBook
from gateway.validation import parse_model
from gateway.xml.binding import serialize

M = TypeVar("M", bound=BaseModel)

NAME = "map"
app = typer.Typer(
    help="Map records between the Flemish and Brussels schemes.", no_args_is_help=True
)

#: Purpose codes stated in the header of documents the mappings write.
PURPOSE_VOV_TO_BEV = "VOV-BEV-MOBILITY"
PURPOSE_BEV_TO_VOV = "BEV-VOV-MOBILITY"


class OutputFormat(StrEnum):
    JSON = "json"
    XML = "xml"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="json or xml")]
Crosswalks = Annotated[
    list[Path] | None,
    typer.Option("--crosswalk", help="extra crosswalk CSV (ODB number → BEE reference)"),
]


def _print_xml(root: etree._Element, result: MappingResult[Any]) -> None:
    """The document on stdout (pipeable), the report on stderr (for the person watching)."""
    typer.echo(serialize(root, pretty=True).decode())
    err_console.print(report_table(result.report))


def _print_json(result: MappingResult[M]) -> None:
    payload = {
        "record": result.record.model_dump(mode="json"),
        "report": result.report.as_dict(),
    }
    console.print_json(json.dumps(payload))


@app.command("vov-to-bev")
def vov_to_bev_command(
    vov: Annotated[Path, typer.Option("--vov", help="VOV registration (JSON or XML)")],
    course: Annotated[Path, typer.Option("--course", help="ODB course (JSON or XML)")],
    output_format: FormatOption = OutputFormat.JSON,
    bev_version: Annotated[
        int | None,
        typer.Option(
            "--bev-version", min=1, max=2, help="BEV wire version (default: newest that fits)"
        ),
    ] = None,
    crosswalk: Crosswalks = None,
    bev_fraction: Annotated[
        str | None,
        typer.Option(
            "--bev-fraction",
            help="the Brussels reference fraction (0-1), read in --bev-reference-month",
        ),
    ] = None,
    bev_reference_month: Annotated[
        str | None,
        typer.Option(
            "--bev-reference-month",
            help="YYYY-MM: September of the school year or the course's start month",
        ),
    ] = None,
) -> None:
    """Map a VOV registration + its ODB course to a Brussels BEV record.

    BEV reads the employment fraction of September or of the start month; give it with
    --bev-fraction and --bev-reference-month and the cap is recomputed with it (otherwise the
    registration's Flemish fraction is used and flagged).
    """
    try:
        registration = read_vov(vov)
        odb_course = read_course(course)
        employment = _brussels_employment(bev_fraction, bev_reference_month)
        result = vov_to_bev(
            registration,
            odb_course,
            RuleBook.load(),
            Crosswalk.load(crosswalk or None),
            employment=employment,
        )
        if output_format is OutputFormat.XML:
            header = cli_header("flanders-wse", "brussels-bee", PURPOSE_VOV_TO_BEV)
            version: bev_xml.Version = (
                bev_xml.best_version(result.record)
                if bev_version is None
                else (1 if bev_version == 1 else 2)
            )
            _print_xml(bev_xml.to_xml(result.record, header, version=version), result)
            return
    except BrugValidationError as exc:
        fail_validation(exc)
    _print_json(result)


def _brussels_employment(fraction: str | None, month: str | None) -> Employment | None:
    """The Brussels reference fraction from the two options; both or neither."""
    if fraction is None and month is None:
        return None
    if fraction is None or month is None:
        missing = "bev-fraction" if fraction is None else "bev-reference-month"
        raise BrugValidationError(
            [
                Violation(
                    missing,
                    "option.required-together",
                    "--bev-fraction and --bev-reference-month go together",
                )
            ],
            context="command line",
        )
    return parse_model(
        Employment, {"fraction": fraction, "reference_month": month}, context="command line"
    )


@app.command("bev-to-vov")
def bev_to_vov_command(
    bev: Annotated[Path, typer.Argument(help="BEV record (JSON, or XML v1/v2)")],
    output_format: FormatOption = OutputFormat.JSON,
    crosswalk: Crosswalks = None,
) -> None:
    """Map a Brussels BEV record to a canonical VOV registration (worker moving to Flanders)."""
    try:
        record = read_bev(bev)
        result = bev_to_vov(record, Crosswalk.load(crosswalk or None), RuleBook.load())
        if output_format is OutputFormat.XML:
            header = cli_header("brussels-bee", "flanders-wse", PURPOSE_BEV_TO_VOV)
            _print_xml(flanders_xml.registration_to_xml(result.record, header), result)
            return
    except BrugValidationError as exc:
        fail_validation(exc)
    _print_json(result)
