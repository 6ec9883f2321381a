"""The ``brug`` command.

Each sub-command group lives in its own module of this package and exposes ``app`` (a
:class:`typer.Typer`) and ``NAME``; groups are found at import time so that adding a command
never means editing a central list. Modules exposing ``register(root)`` add top-level commands
instead (``brug demo``, ``brug validate``).
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

app = typer.Typer(
    name="brug",
    help="Interregional gateway for VOV, ODB, BEV and time-credit (VOK) records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def brug_version() -> str:
    """The installed distribution's version (``pyproject.toml`` [project] version)."""
    try:
        return version("brug")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"brug {brug_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print brug's version and exit.",
        ),
    ] = False,
) -> None:
    """Interregional gateway for VOV, ODB, BEV and time-credit (VOK) records."""


def _load_groups() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=getattr(module, "NAME", info.name))


_load_groups()


def main() -> None:
    """Console-script entry point."""
    app()
