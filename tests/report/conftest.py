"""Store fixtures (SQLite file + PostgreSQL scratch schema) for the evaluation report tests."""

from tests.support.store import (  # noqa: F401 - pytest finds fixtures by name
    clock,
    pg_database,
    pg_url,
    sqlite_url,
    store,
    store_url,
)
