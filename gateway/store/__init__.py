"""Durable storage for the gateway: outbox, inbox, replay cache and audit log.

One :class:`Store` wraps one SQLAlchemy engine (SQLite in WAL mode embedded, PostgreSQL for a
multi-process deployment) and hands out units of work, so that a message's effect, its inbox
answer, its outbox entries and its audit record commit together or not at all.
"""

from __future__ import annotations

from gateway.store.database import Store, StoreError, open_store
from gateway.store.digest import content_digest
from gateway.store.replay import SqlReplayCache

__all__ = ["SqlReplayCache", "Store", "StoreError", "content_digest", "open_store"]
