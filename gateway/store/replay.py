"""A replay cache shared by every gateway process, backed by the store.

Implements the WS-Security layer's ``ReplayCache`` protocol
(:class:`gateway.wssecurity.replay.ReplayCache`). One statement does the check and the store
(``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired``), so two processes receiving the same
replayed message at the same instant cannot both accept it: the unique key decides.

The gateway's SOAP pipeline *defers* the check into the message's unit of work
(:meth:`SqlReplayCache.deferred`, then :meth:`ReplayClaims.settle` with the transaction): the
signature is remembered in the same commit as the inbox row, the effect and the audit entry, so
one exchange costs one commit instead of two, and a message refused later (schema, authorisation)
leaves no key behind. Outside a ``deferred()`` block every check is immediate, so a verifier that
nobody told about deferral (a partner client checking an answer, the REST token check) can never
skip it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.store.bulk_insert import insert_rows
from gateway.store.clock import as_utc
from gateway.store.database import Store
from gateway.store.tables import ReplayRow, core_table


class ReplayClaims:
    """Signatures seen by a verifier inside :meth:`SqlReplayCache.deferred`, not yet stored.

    :meth:`settle` must run in the unit of work that applies the message, before anything is
    acknowledged; a message whose claims were never settled must not be answered as accepted.
    """

    def __init__(self, cache: SqlReplayCache) -> None:
        self._cache = cache
        self.pending: list[tuple[str, datetime]] = []
        self.settled = False

    def settle(self, tx: Session) -> bool:
        """Store every pending key in ``tx``; False when one was already there (a replay)."""
        for key, expires in self.pending:
            if not self._cache.check_and_store(key, expires, tx=tx):
                return False
        self.settled = True
        return True


_REPLAY = core_table(ReplayRow)
_DEFERRED: ContextVar[ReplayClaims | None] = ContextVar("brug_replay_deferred", default=None)


class SqlReplayCache:
    """``check_and_store(key, expires) -> bool``: False when ``key`` was seen and not expired."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._claim: Any = None  # the compiled-once statement of check_and_store_many

    @contextmanager
    def deferred(self) -> Iterator[ReplayClaims]:
        """Collect this context's checks instead of running them; settle them in the unit of work.

        Scoped with a context variable, so only verifications run by this thread / task inside
        the block are deferred.
        """
        claims = ReplayClaims(self)
        token = _DEFERRED.set(claims)
        try:
            yield claims
        finally:
            _DEFERRED.reset(token)

    def check_and_store(self, key: str, expires: datetime, *, tx: Session | None = None) -> bool:
        claims = _DEFERRED.get()
        if tx is None and claims is not None and claims._cache is self:
            claims.pending.append((key, as_utc(expires)))
            return True
        with self._store.join(tx) as session:
            return key in self.check_and_store_many([(key, expires)], tx=session)

    def check_and_store_many(
        self, entries: Sequence[tuple[str, datetime]], *, tx: Session
    ) -> set[str]:
        """One statement for many distinct keys; returns the keys stored (the others are replays).

        For the gateway's batched units of work (:mod:`gateway.service.soap.batch`). Keys must be
        distinct: one statement cannot insert and then conflict with the same key. On PostgreSQL
        one ``unnest`` statement of two arrays (:mod:`gateway.store.bulk_insert`); on SQLite an
        executemany of one compiled statement.
        """
        if not entries:
            return set()
        now = self._store.clock()
        connection = tx.connection()
        if self._store.dialect == "postgresql":  # one statement of two arrays (bulk_insert)
            rows = insert_rows(
                connection,
                _REPLAY,
                [{"key": key, "expires_at": as_utc(exp)} for key, exp in entries],
                conflict=("key",),
                returning=("key",),
                replace_below=("expires_at", now),
            )
            return {str(row[0]) for row in rows}
        params = [{"key": key, "expires_at": as_utc(exp), "now": now} for key, exp in entries]
        return {str(row[0]) for row in connection.execute(self._claim_statement(), params)}

    def _claim_statement(self) -> Any:
        if self._claim is None:
            insert = postgresql.insert if self._store.dialect == "postgresql" else sqlite.insert
            base = insert(_REPLAY)
            self._claim = base.on_conflict_do_update(
                index_elements=[_REPLAY.c.key],
                set_={"expires_at": base.excluded.expires_at},
                where=_REPLAY.c.expires_at < bindparam("now", type_=_REPLAY.c.expires_at.type),
            ).returning(_REPLAY.c.key)
        return self._claim

    def forget(self, keys: Sequence[str], *, tx: Session) -> None:
        """Drop keys stored earlier in ``tx`` for messages that were refused after all."""
        if keys:
            tx.connection().execute(delete(_REPLAY).where(_REPLAY.c.key.in_(list(keys))))

    def purge_expired(self, *, tx: Session | None = None) -> int:
        """Drop expired keys; the cache stays bounded by the traffic of one Timestamp window."""
        now = self._store.clock()
        with self._store.join(tx) as session:
            result = session.execute(delete(ReplayRow).where(ReplayRow.expires_at < now))
            return int(result.rowcount)  # type: ignore[attr-defined]
