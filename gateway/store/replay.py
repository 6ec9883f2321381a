"""A replay cache shared by every gateway process, backed by the store.

Implements the WS-Security layer's ``ReplayCache`` protocol
(:class:`gateway.wssecurity.replay.ReplayCache`). One statement does the check and the store
(``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired``), so two processes receiving the same
replayed message at the same instant cannot both accept it: the unique key decides.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.store.clock import as_utc
from gateway.store.database import Store
from gateway.store.tables import ReplayRow


class SqlReplayCache:
    """``check_and_store(key, expires) -> bool``: False when ``key`` was seen and not expired."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def check_and_store(self, key: str, expires: datetime, *, tx: Session | None = None) -> bool:
        now = self._store.clock()
        expires = as_utc(expires)
        insert = postgresql.insert if self._store.dialect == "postgresql" else sqlite.insert
        base = insert(ReplayRow).values(key=key, expires_at=expires)
        stmt = base.on_conflict_do_update(
            index_elements=[ReplayRow.key],
            set_={"expires_at": base.excluded.expires_at},
            # An expired entry may be overwritten: the Timestamp check already refuses it.
            where=ReplayRow.expires_at < now,
        ).returning(ReplayRow.key)
        with self._store.join(tx) as session:
            return session.execute(stmt).first() is not None

    def purge_expired(self, *, tx: Session | None = None) -> int:
        """Drop expired keys; the cache stays bounded by the traffic of one Timestamp window."""
        now = self._store.clock()
        with self._store.join(tx) as session:
            result = session.execute(delete(ReplayRow).where(ReplayRow.expires_at < now))
            return int(result.rowcount)  # type: ignore[attr-defined]
