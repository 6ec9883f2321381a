"""Store fixtures (SQLite file and real PostgreSQL) and partner simulators for service tests."""

from tests.simulators.support import brussels_sim, pki  # noqa: F401 - pytest fixtures
from tests.support.store import (  # noqa: F401 - pytest fixtures
    clock,
    pg_database,
    pg_url,
    sqlite_url,
    store,
    store_url,
)
