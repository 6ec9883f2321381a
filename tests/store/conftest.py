"""Store fixtures (SQLite file + PostgreSQL scratch schema) shared by the durability tests."""

from tests.simulators.support import pki  # noqa: F401 - a dev PKI for signed payloads
from tests.support.store import (  # noqa: F401 - pytest finds fixtures by name
    clock,
    pg_database,
    pg_store,
    pg_url,
    sqlite_url,
    store,
    store_url,
)
