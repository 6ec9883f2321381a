"""``brug db``: create or upgrade the gateway's database schema."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.cli._common import console
from gateway.cli._store import URL_ENV, URL_HELP, cli_errors, open_cli_store
from gateway.store.migrate import current_revision, head_revision

NAME = "db"
app = typer.Typer(
    help="Database schema (outbox, inbox, replay cache, audit log).", no_args_is_help=True
)

UrlOption = Annotated[str | None, typer.Option("--url", envvar=URL_ENV, help=URL_HELP)]


@app.command("upgrade")
def upgrade(url: UrlOption = None) -> None:
    """Apply every pending migration (safe to run twice, or from several hosts at once)."""
    store = open_cli_store(url, create=True)
    with cli_errors():
        before = current_revision(store)
        store.upgrade()
        after = current_revision(store)
    store.dispose()
    if before == after:
        console.print(f"schema already at {after}")
    else:
        console.print(f"schema upgraded from {before or 'empty'} to {after}")


@app.command("current")
def current(url: UrlOption = None) -> None:
    """Show the schema revision of the database and the newest one this version knows."""
    store = open_cli_store(url)
    with cli_errors():
        found = current_revision(store)
    store.dispose()
    head = head_revision()
    state = "up to date" if found == head else "needs `brug db upgrade`"
    console.print(f"database: {found or 'empty'}; newest: {head} ({state})")
