"""Opening a store and running units of work on it.

SQLite is the embedded default. It is opened in WAL mode with ``synchronous=FULL`` (a commit is
on disk before ``commit()`` returns, which is what lets a caller acknowledge a partner only after
``Outbox.enqueue`` returned) and every transaction starts with ``BEGIN IMMEDIATE``: SQLite has one
writer, and taking the write lock up front turns "database is locked" upgrade deadlocks into a
plain wait bounded by the busy timeout. PostgreSQL is used through a URL
(``postgresql+psycopg://...``) and gets row locks with ``SKIP LOCKED`` for claims instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from gateway.store import migrate
from gateway.store.clock import Clock, utcnow
from gateway.store.errors import StoreError as StoreError  # re-exported where it always was

SQLITE_BUSY_TIMEOUT_MS = 30_000


#: Execution option of the connections :meth:`Store.read` hands out.
READ_ONLY_OPTION = "brug_read_only"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below (pysqlite would otherwise
        # start a deferred transaction lazily, which can fail to upgrade to a write lock).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers (Store.read) take no write lock: in WAL mode a deferred transaction reads a
        # snapshot while one writer goes on.
        reading = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class Store:
    """One database, shared by the outbox, inbox, replay cache and audit log.

    ``clock`` is the single source of "now" for every component built on this store, so a test
    can move time for all of them at once.
    """

    def __init__(self, url: str, *, clock: Clock = utcnow, pool_size: int = 5) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"not a database URL: {url!r}") from exc
        self.url = url
        self.clock = clock
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise StoreError("SQLite needs a file path: an in-memory database is not durable")
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif parsed.get_backend_name() == "postgresql":
            kwargs["pool_size"] = pool_size
            kwargs["pool_pre_ping"] = True
        else:
            raise StoreError(f"unsupported database {parsed.get_backend_name()!r}")
        try:
            self.engine: Engine = create_engine(parsed, **kwargs)
        except (ImportError, SQLAlchemyError) as exc:
            raise StoreError(f"cannot open {parsed.render_as_string()}: {exc}") from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock() if self.dialect == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: everything done through the yielded session commits together.

        Pass the session as ``tx=`` to the outbox, inbox and audit log so that a message's
        effect, its recorded answer, the messages it causes and its audit entry are atomic.
        The commit is durable when the block exits; an exception rolls everything back.
        """
        with self._serialised(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A Core connection in a transaction (bulk statements), serialised like ``transaction``."""
        with self._serialised(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _serialised(self) -> Iterator[None]:
        # SQLite has one writer at a time and every transaction here is BEGIN IMMEDIATE: threads
        # of one process queue on a lock instead of on SQLite's busy handler, whose sleeps (up
        # to 100 ms each) turn contention into seconds of latency. Re-entrant, so a nested unit
        # of work in the same thread behaves as before. PostgreSQL needs no such lock.
        if self._write_lock is None:
            yield
            return
        with self._write_lock:
            yield

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries only, rolled back on exit, never serialised with the writers.

        On SQLite a plain (deferred) ``BEGIN`` instead of ``BEGIN IMMEDIATE``: a reader that
        polls (the operator console's overview, every few seconds) does not hold the one write
        lock while it counts, and sees a consistent WAL snapshot. On PostgreSQL a read-only
        ``REPEATABLE READ`` transaction: the same one snapshot for all its queries.
        """
        options: dict[str, Any] = {READ_ONLY_OPTION: True}
        if self.dialect == "postgresql":
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        reader = self.engine.execution_options(**options)
        with Session(bind=reader, expire_on_commit=False) as session:
            yield session  # closing the session rolls its transaction back

    @contextmanager
    def join(self, tx: Session | None) -> Iterator[Session]:
        """Use the caller's unit of work when given one, else a fresh one committed on exit."""
        if tx is not None:
            yield tx
            return
        with self.transaction() as session:
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to run from several processes)."""
        migrate.upgrade(self)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, clock: Clock = utcnow, upgrade: bool = False) -> Store:
    """Open ``url``; with ``upgrade=True`` also apply pending migrations."""
    store = Store(url, clock=clock)
    if upgrade:
        store.upgrade()
    return store
