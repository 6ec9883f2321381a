"""Pytest fixtures for code built on the store (import them in a ``conftest.py``).

PostgreSQL tests run in one scratch database per test session (``brug_test_<random>``, dropped
at the end) and one schema per test, so tests never see each other's rows and never touch a
database someone else uses. When PostgreSQL is unreachable they are skipped with the reason.
Set ``BRUG_TEST_PG_URL`` to point at another server (default: the local ``test`` database).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.store.database import Store

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_URL_ENV = "BRUG_TEST_PG_URL"


class FakeClock:
    """A clock tests move by hand; thread-safe so workers in threads can share it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


@dataclass
class _ScratchDatabase:
    admin_url: str
    url: str | None = None
    users: int = 0
    unreachable: str | None = None


_scratch = _ScratchDatabase(os.environ.get(PG_URL_ENV, DEFAULT_ADMIN_URL))
_scratch_lock = threading.Lock()


def _acquire_database() -> str:
    with _scratch_lock:
        if _scratch.unreachable:
            pytest.skip(_scratch.unreachable)
        if _scratch.url is None:
            name = f"brug_test_{secrets.token_hex(4)}"
            admin = create_engine(
                _scratch.admin_url,
                isolation_level="AUTOCOMMIT",
                connect_args={"connect_timeout": 3},
            )
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as exc:  # any failure to reach the server means: skip
                first = str(exc).strip().splitlines()[0]
                _scratch.unreachable = f"PostgreSQL unreachable at {_scratch.admin_url}: {first}"
                pytest.skip(_scratch.unreachable)
            finally:
                admin.dispose()
            _scratch.url = (
                make_url(_scratch.admin_url)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        _scratch.users += 1
        return _scratch.url


def _release_database() -> None:
    with _scratch_lock:
        _scratch.users -= 1
        if _scratch.users > 0 or _scratch.url is None:
            return
        name = make_url(_scratch.url).database
        admin = create_engine(_scratch.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
        _scratch.url = None


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of this session's scratch PostgreSQL database (skips when unreachable)."""
    url = _acquire_database()
    try:
        yield url
    finally:
        _release_database()


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A fresh schema in the scratch database, selected through ``search_path``."""
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(pg_database).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'brug.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs twice: on a SQLite file and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:
    """A migrated store on both backends, with a hand-moved clock."""
    opened = Store(store_url, clock=clock)
    opened.upgrade()
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    """A migrated PostgreSQL store on the real clock (for multi-process tests)."""
    opened = Store(pg_url)
    opened.upgrade()
    try:
        yield opened
    finally:
        opened.dispose()
