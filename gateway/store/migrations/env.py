"""Alembic environment: runs on the engine of the :class:`~gateway.store.Store` it is given.

Using the store's engine (not a URL from a config file) keeps the SQLite pragmas and the
``BEGIN IMMEDIATE`` behaviour during migrations. On PostgreSQL a transaction-scoped advisory
lock makes concurrent ``brug db upgrade`` runs (several pods starting at once) wait in turn.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from gateway.store.database import Store
from gateway.store.tables import Base

MIGRATION_LOCK_ID = 0x62727567  # "brug"

store = context.config.attributes.get("store")
if not isinstance(store, Store):  # pragma: no cover - only reachable through the alembic CLI
    raise RuntimeError("run migrations through gateway.store.migrate, not the alembic CLI")

with store.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=store.dialect == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        if store.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_ID})
        context.run_migrations()
    connection.commit()
