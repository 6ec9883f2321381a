"""The inbox: a partner's retry of a message gets the first answer back, and no second effect.

Use it inside the unit of work that applies the message::

    with store.transaction() as tx:
        decision = inbox.begin(partner, message_id, digest, tx=tx)
        if not decision.is_new:
            return decision.answer          # a duplicate: answer as the first time
        answer = apply_effect(..., tx=tx)   # the message's effect
        outbox.enqueue(..., tx=tx)          # what it causes downstream
        inbox.complete(partner, message_id, answer, tx=tx)

The inbox row is inserted in the same transaction as the effect, so it exists exactly when the
effect does: a crash before commit leaves neither, and a concurrent duplicate waits on the
unique key (PostgreSQL) or on the write lock (SQLite) and then sees the answered row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.errors import BrugError
from gateway.store.bulk_insert import insert_rows
from gateway.store.database import Store
from gateway.store.tables import InboxRow, core_table

_INBOX = core_table(InboxRow)
_COMPLETE = (
    update(_INBOX)
    .where(
        _INBOX.c.partner == bindparam("p_partner"),
        _INBOX.c.message_id == bindparam("p_message_id"),
        _INBOX.c.status == "received",
    )
    .values(status="answered")
)


class InboxConflict(BrugError):
    """A message id was reused for a different request: refuse it, never answer it."""


class InboxInProgress(BrugError):
    """The first copy is still being processed (only possible when ``begin`` ran on its own
    transaction). The caller should answer "try again later" (a transient fault)."""


@dataclass(frozen=True, slots=True)
class Answered:
    """A message answered in the unit of work that applied it (the batched path)."""

    partner: str
    message_id: str
    digest: str
    answer: bytes


@dataclass(frozen=True, slots=True)
class Known:
    """What the inbox already holds for a (partner, message id)."""

    digest: str
    answered: bool
    answer: bytes | None


@dataclass(frozen=True, slots=True)
class InboxDecision:
    is_new: bool
    answer: bytes | None = None


class Inbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    def begin(
        self, partner: str, message_id: str, digest: str, *, tx: Session | None = None
    ) -> InboxDecision:
        """Record the message as received, or return the answer its first copy got.

        Raises :class:`InboxConflict` when the id is known with a different request digest.
        """
        insert = postgresql.insert if self._store.dialect == "postgresql" else sqlite.insert
        # Core statements on the table (not the mapped class): this runs for every message, and
        # the ORM's bulk-persistence path costs several times the statement.
        stmt = (
            insert(_INBOX)
            .values(
                partner=partner,
                message_id=message_id,
                request_digest=digest,
                status="received",
                created_at=self._store.clock(),
            )
            .on_conflict_do_nothing(index_elements=["partner", "message_id"])
            .returning(_INBOX.c.id)
        )
        with self._store.join(tx) as session:
            if session.connection().execute(stmt).first() is not None:
                return InboxDecision(is_new=True)
            row = session.scalars(
                select(InboxRow).where(
                    InboxRow.partner == partner, InboxRow.message_id == message_id
                )
            ).one()
            if row.request_digest != digest:
                raise InboxConflict(
                    f"message id {message_id!r} from {partner!r} was already used for a"
                    " different request"
                )
            if row.status != "answered":
                raise InboxInProgress(
                    f"message {message_id!r} from {partner!r} is still being processed"
                )
            return InboxDecision(is_new=False, answer=row.answer)

    def complete(
        self, partner: str, message_id: str, answer: bytes, *, tx: Session | None = None
    ) -> None:
        """Store the first answer; call it in the same transaction as the message's effect."""
        values = {
            "p_partner": partner,
            "p_message_id": message_id,
            "answer": answer,
            "answered_at": self._store.clock(),
        }
        with self._store.join(tx) as session:
            if session.connection().execute(_COMPLETE, values).rowcount != 1:
                raise InboxConflict(
                    f"message {message_id!r} from {partner!r} was not begun or is already answered"
                )

    def record_answered(self, entries: list[Answered], *, tx: Session) -> set[tuple[str, str]]:
        """Insert already-answered rows for many distinct messages in one statement.

        Returns the (partner, message id) pairs inserted; the others were known before (a repeat
        or a conflict: look them up with :meth:`known`). The batched path knows each answer
        before it writes, so it skips the ``received`` state that :meth:`begin` /
        :meth:`complete` pass through; the committed rows are the same.
        """
        if not entries:
            return set()
        now = self._store.clock()
        params = [
            {
                "partner": e.partner,
                "message_id": e.message_id,
                "request_digest": e.digest,
                "answer": e.answer,
                "status": "answered",
                "created_at": now,
                "answered_at": now,
            }
            for e in entries
        ]
        rows = insert_rows(
            tx.connection(),
            _INBOX,
            params,
            conflict=("partner", "message_id"),
            returning=("partner", "message_id"),
        )
        return {(str(r[0]), str(r[1])) for r in rows}

    def known(self, keys: list[tuple[str, str]], *, tx: Session) -> dict[tuple[str, str], Known]:
        """The stored state of these (partner, message id) pairs (absent ones are left out)."""
        if not keys:
            return {}
        stmt = select(
            _INBOX.c.partner,
            _INBOX.c.message_id,
            _INBOX.c.request_digest,
            _INBOX.c.status,
            _INBOX.c.answer,
        ).where(tuple_(_INBOX.c.partner, _INBOX.c.message_id).in_(keys))
        return {
            (str(r.partner), str(r.message_id)): Known(
                str(r.request_digest), r.status == "answered", r.answer
            )
            for r in tx.connection().execute(stmt)
        }
