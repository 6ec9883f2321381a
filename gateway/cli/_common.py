"""Helpers every CLI group uses: one way to report bad input and exit with code 2."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from gateway.errors import BrugValidationError

err_console = Console(stderr=True)
console = Console()

EXIT_INVALID = 2


def fail_validation(error: BrugValidationError) -> NoReturn:
    """Print every violation as a table on stderr and exit 2 (never a traceback)."""
    table = Table(title=f"invalid {error.context}", show_lines=False)
    for column in ("path", "rule", "value", "message"):
        table.add_column(column, overflow="fold")
    for v in error.violations:
        table.add_row(v.path, v.rule, v.value or "", v.message)
    err_console.print(table)
    raise typer.Exit(EXIT_INVALID)
