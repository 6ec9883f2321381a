"""What the ``db``, ``outbox`` and ``audit`` commands share: finding the store, reporting errors.

An operator must get a sentence and exit code 2, never a traceback: a wrong URL, an unreachable
database or a schema that was never migrated are all ordinary operator mistakes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from gateway.config import load_settings
from gateway.config.loader import config_path
from gateway.errors import BrugError
from gateway.store.database import Store

EXIT_INVALID = 2
URL_ENV = "BRUG_DATABASE_URL"
URL_HELP = (
    f"Database URL (sqlite:///path or postgresql+psycopg://...); default ${URL_ENV}, else the"
    " gateway's own store: $BRUG_STORE__URL or [store] url of $BRUG_CONFIG."
)

_err = Console(stderr=True)
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def fail(message: str) -> typer.Exit:
    """Print ``message`` on stderr; return the Exit(2) for the caller to raise."""
    _err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(EXIT_INVALID)


@contextmanager
def cli_errors() -> Iterator[None]:
    try:
        yield
    except BrugError as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        detail = str(orig) if orig is not None else str(exc)
        first = detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__
        raise fail(f"database error: {first} (is the schema current? `brug db upgrade`)") from None
    except OSError as exc:
        raise fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None


def resolve_url(url: str | None) -> str:
    """``--url`` / ``$BRUG_DATABASE_URL``, else the store the gateway itself is configured with
    (``$BRUG_STORE__URL``, or ``[store] url`` of the file in ``$BRUG_CONFIG``), so that an
    operator on the gateway's host needs no second setting."""
    if url:
        return url
    from_env = os.environ.get("BRUG_STORE__URL")
    if from_env:
        return from_env
    if config_path() is not None:
        # the full loader, so relative paths and environment overrides apply as in `brug serve`
        with cli_errors():
            return load_settings(check_files=False).store.url
    raise fail(f"no database given: pass --url, set {URL_ENV}, or point $BRUG_CONFIG at brug.toml")


def open_cli_store(url: str | None, *, create: bool = False) -> Store:
    """Open the store; a SQLite file must already exist unless ``create`` (``db upgrade``),
    so that a typo in a path is reported instead of silently creating an empty database."""
    url = resolve_url(url)
    with cli_errors():
        try:
            parsed = make_url(url)
        except ArgumentError:
            parsed = None  # Store() reports it
        if (
            not create
            and parsed is not None
            and parsed.get_backend_name() == "sqlite"
            and parsed.database
            and not Path(parsed.database).exists()
        ):
            raise fail(f"no SQLite database at {parsed.database} (run `brug db upgrade` first)")
        return Store(url)


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``12h``, ``30d``, ``2w``."""
    match = _DURATION.match(text)
    if match is None:
        raise fail(f"not a duration: {text!r} (use e.g. 90s, 15m, 12h, 30d, 2w)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
