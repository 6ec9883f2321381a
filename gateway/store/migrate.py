"""Alembic, driven from code: no ``alembic.ini`` to ship or to find at run time.

The migration scripts live in this package (``migrations/``), so an installed wheel can upgrade
its own database with ``brug db upgrade`` and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from gateway.store.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


class Migratable(Protocol):
    """What migrating needs of a :class:`~gateway.store.Store`: its engine. (``migrations/env.py``
    runs on the Store itself; this module only passes it on, so it need not import the Store.)"""

    @property
    def engine(self) -> Engine: ...


def alembic_config(store: Migratable) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["store"] = store
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def current_revision(store: Migratable) -> str | None:
    try:
        with store.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the schema version: {_first_line(exc)}") from exc


def upgrade(store: Migratable, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(store), revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"migration failed: {_first_line(exc)}") from exc
