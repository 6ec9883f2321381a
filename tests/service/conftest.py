"""Store fixtures (SQLite file and real PostgreSQL) for the service's tests."""

from gateway.store.testing import (  # noqa: F401 - pytest fixtures
    clock,
    pg_database,
    pg_url,
    sqlite_url,
    store,
    store_url,
)
