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
    """Print every violation on stderr and exit 2 (never a traceback).

    The header is the same in every command: ``error: invalid <what> (<file>)``. Then a table
    for a person at a terminal; one ``path: [rule] message (value: v)`` line each when stderr is
    a pipe or a file, so scripts and CI logs can grep the rule names whole.
    """
    if not err_console.is_terminal:
        err_console.print(
            f"error: invalid {error.context}:", markup=False, highlight=False, soft_wrap=True
        )
        for v in error.violations:
            err_console.print(f"  {v}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID)
    table = Table(title=f"error: invalid {error.context}", show_lines=False)
    for column in ("path", "rule", "value", "message"):
        table.add_column(column, overflow="fold")
    for v in error.violations:
        table.add_row(v.path, v.rule, v.value or "", v.message)
    err_console.print(table)
    raise typer.Exit(EXIT_INVALID)
