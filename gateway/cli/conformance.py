"""``brug conformance``: is a partner (or a new schema version) still speaking the contract?

Two commands share the group: ``schema-diff`` (here) compares two versions of a schema and
classifies every change as BACKWARD / FORWARD compatible; ``run`` (endpoint conformance suite)
is added by :func:`conformance.cli_run.register_run`, so each lives next to its own engine.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conformance.schema_diff import Level, SchemaInputError, diff_files
from conformance.schema_diff.render import render_json, render_text
from gateway.cli._common import EXIT_INVALID, console, err_console

NAME = "conformance"

app = typer.Typer(
    name=NAME,
    help="Conformance checks: schema compatibility (schema-diff) and endpoint conformance (run).",
    no_args_is_help=True,
)

EXIT_COMPATIBLE = 0
EXIT_BREAKING = 1


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("schema-diff")
def schema_diff_command(
    old: Annotated[Path, typer.Argument(help="OLD schema: .xsd, .wsdl, or OpenAPI 3.x JSON/YAML")],
    new: Annotated[Path, typer.Argument(help="NEW schema, same kind as OLD")],
    level: Annotated[
        Level,
        typer.Option(
            "--level",
            case_sensitive=False,
            help="BACKWARD: NEW reads OLD data (upgrade consumers first); FORWARD: OLD reads NEW "
            "data (upgrade producers first); FULL: both; NONE: report only.",
        ),
    ] = Level.BACKWARD,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", case_sensitive=False, help="text or json")
    ] = OutputFormat.TEXT,
    golden: Annotated[
        Path | None,
        typer.Option(
            "--golden",
            help="directory of OLD-version *.xml messages to validate against NEW (XSD only)",
        ),
    ] = None,
    schema_root: Annotated[
        Path | None,
        typer.Option(
            "--schema-root",
            help="directory imports may be read from (default: nearest with catalog.toml, "
            "else the schema's own directory)",
        ),
    ] = None,
) -> None:
    """List every change from OLD to NEW, classified BACKWARD / FORWARD; exit 1 if LEVEL breaks.

    Exit codes: 0 compatible at --level, 1 a change (or a failing golden message) breaks it,
    2 bad input (unreadable, malformed or invalid schema).
    """
    try:
        report = diff_files(old, new, level=level, golden=golden, schema_root=schema_root)
    except SchemaInputError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    if output_format is OutputFormat.JSON:
        # plain stdout, not rich: JSON must stay byte-exact (no wrapping, no markup)
        typer.echo(render_json(report))
    else:
        # piped or captured: a wide console, so paths and sentences stay whole for grep
        render_text(report, console if console.is_terminal else Console(width=200))
    raise typer.Exit(EXIT_COMPATIBLE if report.compatible else EXIT_BREAKING)


from conformance.cli_run import register_run  # noqa: E402  (the run command, see module doc)

register_run(app)
