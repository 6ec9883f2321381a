"""``brug schemas`` and ``brug validate``: what brug speaks, and whether a file speaks it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli._common import console, fail_validation
from gateway.cli._inputs import validate_file
from gateway.errors import BrugValidationError
from gateway.xml import schemas as registry


def schemas_command() -> None:
    """List the schema names (for brug validate) and the WSDLs."""
    table = Table(title="schemas", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("namespace", overflow="fold")
    table.add_column("roots", overflow="fold")
    table.add_column("file", overflow="fold")
    for info in registry.list_schemas():
        table.add_row(info.name, info.namespace, ", ".join(info.roots), info.file)
    console.print(table)
    wsdl = Table(title="WSDLs", title_justify="left")
    wsdl.add_column("name", no_wrap=True)
    wsdl.add_column("file")
    wsdl.add_column("description", overflow="fold")
    for name, wsdl_info in registry.wsdls().items():
        wsdl.add_row(name, wsdl_info.file, wsdl_info.description)
    console.print(wsdl)


def validate_command(
    schema: Annotated[str, typer.Argument(help="schema name, as listed by `brug schemas`")],
    file: Annotated[Path, typer.Argument(help="XML or JSON document (detected from the content)")],
) -> None:
    """Validate FILE against SCHEMA and the identifier rules; exit 2 on any violation.

    XML is checked against the XSD, then the record rules. JSON is checked as the record the
    schema carries (the checks of the REST API): vov-registration-v1, odb-course-v1,
    bev-record-v1/v2 and career-break-v1 (answer, query or a list of mutations).
    """
    try:
        checked = validate_file(schema, file)
    except BrugValidationError as exc:
        fail_validation(exc)
    console.print(f"valid {file} ({schema}, {checked})", markup=False, highlight=False)


def register(root: typer.Typer) -> None:
    root.command("schemas")(schemas_command)
    root.command("validate")(validate_command)
