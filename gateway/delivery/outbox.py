"""The transactional outbox: messages to partners, committed before anyone is told "accepted".

Claims work the same way on both backends: one ``UPDATE ... WHERE id IN (SELECT ... LIMIT n)
RETURNING`` moves due entries to ``in_flight`` under a lease. On PostgreSQL the inner select is
``FOR UPDATE SKIP LOCKED``, so concurrent workers take disjoint rows without waiting for each
other; on SQLite the store's ``BEGIN IMMEDIATE`` makes the whole claim a single-writer
transaction. A lease is a deadline, not a lock: a worker that dies simply stops renewing
nothing, its lease passes, and the entry is due again for anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    LargeBinary,
    Table,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.delivery.entries import OutboxEntry, OutboxStatus, PartnerAnswer
from gateway.delivery.errors import EntryNotFound, MessageIdConflict
from gateway.store.bulk_insert import insert_rows
from gateway.store.clock import as_utc
from gateway.store.database import Store
from gateway.store.digest import content_digest
from gateway.store.tables import OutboxRow, UtcDateTime

MAX_ERROR_LENGTH = 2000
OUTBOX_TABLE: Table = OutboxRow.__table__  # type: ignore[assignment]

_NEW_ENTRY_DEFAULTS: dict[str, Any] = {
    "lease_owner": None,
    "lease_expires_at": None,
    "last_error": None,
    "partner_answer": None,
    "delivered_at": None,
}

# Fenced like every outcome: only the lease holder may record a delivery.
_DELIVERED = (
    update(OUTBOX_TABLE)
    .where(
        OUTBOX_TABLE.c.id == bindparam("b_id"),
        OUTBOX_TABLE.c.lease_owner == bindparam("b_owner"),
        OUTBOX_TABLE.c.status == "in_flight",
    )
    .values(
        status="delivered",
        partner_answer=bindparam("b_answer", type_=LargeBinary()),
        delivered_at=bindparam("b_now", type_=UtcDateTime()),
        last_error=None,
        lease_owner=None,
        lease_expires_at=None,
    )
)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A message for :meth:`Outbox.enqueue_many` (``digest`` computed when not given)."""

    partner: str
    message_id: str
    operation: str
    payload: bytes = field(repr=False)
    digest: str | None = None
    correlation_id: str | None = None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a worker learned about one claimed entry; recorded in batches by :meth:`record`."""

    entry_id: int
    kind: Literal["delivered", "retry", "dead", "release"]
    answer: PartnerAnswer | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None


class Outbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- producers -------------------------------------------------------------------------

    def enqueue(
        self,
        *,
        partner: str,
        message_id: str,
        operation: str,
        payload: bytes,
        correlation_id: str | None = None,
        not_before: datetime | None = None,
        origin: str | None = None,
        tx: Session | None = None,
    ) -> OutboxEntry:
        """Store an unsigned message for delivery and return its entry.

        ``payload`` is the unsigned envelope: the delivery transport signs each attempt, and
        ``digest`` (SHA-256 of the payload) is what the audit records at acceptance.

        Without ``tx`` the entry is committed (fsynced) before this returns, so the caller may
        acknowledge its own sender afterwards. With ``tx`` it commits with the caller's unit of
        work. Idempotent on (partner, message id): the same message again returns the existing
        entry; the same id with a different payload raises :class:`MessageIdConflict`.

        ``origin`` records who queued the message (the REST client id); who may follow it by
        message id depends on it (``GET /v1/messages/{id}``). An existing entry keeps its own.
        """
        now = self._store.clock()
        digest = content_digest(payload)
        insert = postgresql.insert if self._store.dialect == "postgresql" else sqlite.insert
        table = OUTBOX_TABLE
        values: dict[str, Any] = {
            "message_id": message_id,
            "partner": partner,
            "operation": operation,
            "payload": payload,
            "digest": digest,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": as_utc(not_before) if not_before else now,
            "created_at": now,
            "correlation_id": correlation_id,
            "origin": origin,
        }
        stmt = (
            insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["partner", "message_id"])
            .returning(table.c.id)
        )
        existing = select(*table.c).where(
            table.c.partner == partner, table.c.message_id == message_id
        )
        # Core on a plain connection when there is no unit of work, and only the new id back:
        # enqueue is on the path of every acknowledged message, so it costs one INSERT.
        with self._store.begin() if tx is None else nullcontext(tx) as conn:
            new_id = conn.execute(stmt).scalar()
            if new_id is not None:
                return OutboxEntry.from_mapping({**values, **_NEW_ENTRY_DEFAULTS, "id": new_id})
            found = conn.execute(existing).mappings().one()  # already queued
            if found["digest"] != digest:
                raise MessageIdConflict(
                    f"message {message_id!r} for {partner!r} is already queued with a"
                    " different payload"
                )
            return OutboxEntry.from_mapping(found)

    def enqueue_many(self, entries: Sequence[NewEntry], *, tx: Session) -> None:
        """Store many new messages in the caller's unit of work, in one statement.

        For producers that mint fresh message ids (bulk intake): no existing entry is looked
        up, so a reused (partner, message id) fails the whole unit of work (unique key) instead
        of being answered from the first copy as :meth:`enqueue` does.
        """
        if not entries:
            return
        now = self._store.clock()
        rows = [
            {
                "message_id": e.message_id,
                "partner": e.partner,
                "operation": e.operation,
                "payload": e.payload,
                "digest": e.digest or content_digest(e.payload),
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "correlation_id": e.correlation_id,
                "origin": e.origin,
            }
            for e in entries
        ]
        insert_rows(tx.connection(), OUTBOX_TABLE, rows)

    # -- workers ---------------------------------------------------------------------------

    def claim_batch(
        self,
        owner: str,
        n: int,
        lease: timedelta,
        *,
        exclude_partners: Iterable[str] = (),
    ) -> list[OutboxEntry]:
        """Lease up to ``n`` due entries to ``owner`` for ``lease``; each claim uses an attempt.

        Due means pending with ``next_attempt_at`` passed, or in flight with an expired lease
        (its worker died or hung). Counting the attempt at claim time means a message that
        crashes every worker that touches it still reaches its attempt limit.
        """
        now = self._store.clock()
        due = or_(
            and_(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now),
            and_(OutboxRow.status == "in_flight", OutboxRow.lease_expires_at < now),
        )
        candidates = select(OutboxRow.id).where(due)
        excluded = list(exclude_partners)
        if excluded:
            candidates = candidates.where(OutboxRow.partner.not_in(excluded))
        candidates = (
            candidates.order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(n)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(candidates.scalar_subquery()))
            .values(
                status="in_flight",
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=OutboxRow.attempts + 1,
            )
            .returning(OutboxRow)
            .execution_options(synchronize_session=False)
        )
        with self._store.transaction() as session:
            rows = session.scalars(stmt).all()
            entries = [OutboxEntry.from_row(r) for r in rows]
        return sorted(entries, key=lambda e: (e.next_attempt_at, e.id))

    def record(
        self,
        owner: str,
        outcomes: Sequence[Outcome],
        *,
        prepare: Callable[[Session, Sequence[Outcome]], Sequence[Outcome]] | None = None,
    ) -> int:
        """Apply a batch of outcomes in one transaction; return how many still held the lease.

        Every update is fenced on ``lease_owner = owner AND status = 'in_flight'``: a worker
        whose lease expired and was taken over cannot overwrite the new owner's result.
        ``prepare`` runs first in the same transaction (the worker stores the answers' replay
        claims and audits the attempts there) and may change the outcomes it is given.
        """
        if not outcomes:
            return 0
        now = self._store.clock()
        applied = 0
        with self._store.transaction() as session:
            if prepare is not None:
                outcomes = prepare(session, outcomes)
            conn = session.connection()
            delivered = [o for o in outcomes if o.kind == "delivered"]
            if delivered:
                # The bulk of all outcomes: one executemany (pipelined by psycopg), not one
                # round trip per entry.
                result = conn.execute(
                    _DELIVERED,
                    [
                        {
                            "b_id": o.entry_id,
                            "b_answer": o.answer.body if o.answer else b"",
                            "b_owner": owner,
                            "b_now": now,
                        }
                        for o in delivered
                    ],
                )
                applied += int(result.rowcount)
            for outcome in outcomes:
                if outcome.kind != "delivered":
                    applied += self._apply(conn, owner, outcome, now)
        return applied

    def _apply(self, conn: Connection, owner: str, outcome: Outcome, now: datetime) -> int:
        table = OUTBOX_TABLE
        fenced = update(table).where(
            table.c.id == outcome.entry_id,
            table.c.lease_owner == owner,
            table.c.status == "in_flight",
        )
        released = {"lease_owner": None, "lease_expires_at": None}
        if outcome.kind == "dead":
            stmt = fenced.values(status="dead", last_error=_clip(outcome.error), **released)
        elif outcome.kind == "retry":
            stmt = fenced.values(
                status="pending",
                last_error=_clip(outcome.error),
                next_attempt_at=outcome.next_attempt_at or now,
                **released,
            )
        else:  # release: the circuit is open, the attempt was never made
            stmt = fenced.values(
                status="pending",
                attempts=table.c.attempts - 1,
                next_attempt_at=outcome.next_attempt_at or now,
                **released,
            )
        return int(conn.execute(stmt).rowcount)

    def wake(self, partner: str) -> int:
        """Make every pending entry of ``partner`` due now; returns how many were waiting.

        Called when a partner answers again after its circuit was open: entries that backed off
        during the outage (up to ``backoff_max``) need not wait out their schedule.
        """
        now = self._store.clock()
        stmt = (
            update(OUTBOX_TABLE)
            .where(
                OUTBOX_TABLE.c.partner == partner,
                OUTBOX_TABLE.c.status == "pending",
                OUTBOX_TABLE.c.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
        )
        with self._store.begin() as conn:
            return int(conn.execute(stmt).rowcount)

    def has_unfinished(self) -> bool:
        """True while any entry is pending or in flight (a drained outbox returns False)."""
        with self._store.transaction() as session:
            found = session.scalar(
                select(OutboxRow.id).where(OutboxRow.status.in_(("pending", "in_flight"))).limit(1)
            )
        return found is not None

    # -- operators -------------------------------------------------------------------------

    def get(self, entry_id: int) -> OutboxEntry:
        with self._store.transaction() as session:
            row = session.get(OutboxRow, entry_id)
            if row is None:
                raise EntryNotFound(f"no outbox entry {entry_id}")
            return OutboxEntry.from_row(row)

    def list(
        self,
        *,
        status: OutboxStatus | None = None,
        partner: str | None = None,
        limit: int = 50,
    ) -> list[OutboxEntry]:
        stmt = select(OutboxRow).order_by(OutboxRow.id).limit(limit)
        if status is not None:
            stmt = stmt.where(OutboxRow.status == status.value)
        if partner is not None:
            stmt = stmt.where(OutboxRow.partner == partner)
        with self._store.transaction() as session:
            return [OutboxEntry.from_row(r) for r in session.scalars(stmt)]

    def counts(self) -> dict[OutboxStatus, int]:
        stmt = select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        with self._store.transaction() as session:
            found = {OutboxStatus(s): int(c) for s, c in session.execute(stmt)}
        return {s: found.get(s, 0) for s in OutboxStatus}

    def pending_by_partner(self) -> dict[str, int]:
        """Entries not yet delivered or dead, per partner (the ``brug_outbox_pending`` gauge)."""
        stmt = (
            select(OutboxRow.partner, func.count())
            .where(OutboxRow.status.in_((OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)))
            .group_by(OutboxRow.partner)
        )
        with self._store.transaction() as session:
            return {str(p): int(c) for p, c in session.execute(stmt)}

    def find(self, partner: str, message_id: str) -> OutboxEntry | None:
        """The entry for a partner's message id, if any (follow-up queries by message id)."""
        stmt = select(OutboxRow).where(
            OutboxRow.partner == partner, OutboxRow.message_id == message_id
        )
        with self._store.transaction() as session:
            row = session.scalars(stmt).first()
            return None if row is None else OutboxEntry.from_row(row)

    def find_message(self, message_id: str) -> tuple[OutboxEntry, ...]:
        """Every entry (any partner) carrying ``message_id``."""
        stmt = select(OutboxRow).where(OutboxRow.message_id == message_id)
        with self._store.transaction() as session:
            return tuple(OutboxEntry.from_row(r) for r in session.scalars(stmt))

    def retry(self, entry_id: int) -> OutboxEntry:
        """Make a dead (or waiting) entry due now with fresh attempt and age budgets.

        The age limit counts from ``created_at``, so it is restarted too (otherwise an entry
        dead-lettered for age would die again at once); the first enqueue time is kept in
        ``last_error`` for the record.
        """
        now = self._store.clock()
        with self._store.transaction() as session:
            row = session.get(OutboxRow, entry_id, with_for_update=True)
            if row is None:
                raise EntryNotFound(f"no outbox entry {entry_id}")
            if row.status not in ("dead", "pending"):
                raise EntryNotFound(
                    f"outbox entry {entry_id} is {row.status}: only dead or pending entries can be"
                    " retried"
                )
            row.status = "pending"
            row.attempts = 0
            row.next_attempt_at = now
            row.last_error = _clip(
                f"retried by operator at {now.isoformat()} (first enqueued"
                f" {row.created_at.isoformat()}); previous error: {row.last_error}"
            )
            row.created_at = now
            session.flush()
            return OutboxEntry.from_row(row)

    def purge_dead(self, entry_ids: Iterable[int]) -> tuple[OutboxEntry, ...]:
        """Delete the given entries that are dead; return what was deleted (for the audit).

        An operator's selection (the console's dead letters): entries that are no longer dead
        when this runs (retried, or delivered since) are left alone.
        """
        ids = sorted(set(entry_ids))
        if not ids:
            return ()
        chosen = select(OutboxRow).where(OutboxRow.id.in_(ids), OutboxRow.status == "dead")
        with self._store.transaction() as session:
            found = [OutboxEntry.from_row(r) for r in session.scalars(chosen.with_for_update())]
            if found:
                session.execute(
                    delete(OutboxRow).where(
                        OutboxRow.id.in_([e.id for e in found]), OutboxRow.status == "dead"
                    )
                )
            return tuple(found)

    def purge(self, older_than: timedelta) -> int:
        """Delete delivered and dead entries created more than ``older_than`` ago."""
        cutoff = self._store.clock() - older_than
        stmt = delete(OutboxRow).where(
            OutboxRow.status.in_(("delivered", "dead")), OutboxRow.created_at < cutoff
        )
        with self._store.transaction() as session:
            return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_ERROR_LENGTH:
        return text
    return text[: MAX_ERROR_LENGTH - 1] + "…"
