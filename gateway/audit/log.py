"""Appending to the audit chain, safely from many processes.

Every append locks the single ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; on
SQLite the store's ``BEGIN IMMEDIATE`` already serializes writers), reads the previous hash and
sequence number, writes the entry and moves the head, all in one transaction. Two processes can
therefore never chain onto the same predecessor, and a rolled-back message leaves no entry.
Pass ``tx=`` to record the entry in the same unit of work as the message it describes.

The append runs as three Core statements on the transaction's connection (lock the head, insert
the entry, move the head), built once: it is on the path of every exchange, and the ORM's
unit-of-work machinery cost several times the statements themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.audit.chain import (
    AuditRecord,
    ChainedEntry,
    checkpoint_payload,
    entry_fields,
    entry_hash,
)
from gateway.audit.signing import CheckpointSigner
from gateway.audit.subjects import SubjectHasher
from gateway.errors import BrugError
from gateway.store.bulk_insert import insert_rows
from gateway.store.database import Store
from gateway.store.tables import (
    AuditCheckpointRow,
    AuditEntryRow,
    AuditHeadRow,
    core_table,
)

HEAD_ID = 1

_HEAD = core_table(AuditHeadRow)
_ENTRY = core_table(AuditEntryRow)
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.entry_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == HEAD_ID)


_COLUMNS = tuple(f.name for f in fields(ChainedEntry))  # the table's columns, by name


def _row(entry: ChainedEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in _COLUMNS}


class AuditError(BrugError):
    """The audit log cannot be written as asked."""


class AuditLog:
    def __init__(
        self,
        store: Store,
        *,
        subjects: SubjectHasher | None = None,
        signer: CheckpointSigner | None = None,
        checkpoint_every: int = 1000,
    ) -> None:
        self._store = store
        self._subjects = subjects
        self._signer = signer
        self._every = checkpoint_every

    def append(self, record: AuditRecord, *, tx: Session | None = None) -> ChainedEntry:
        """Chain one entry; with a signer, every ``checkpoint_every``-th entry is signed."""
        return self.append_many([record], tx=tx)[0]

    def append_many(
        self, records: Sequence[AuditRecord], *, tx: Session | None = None
    ) -> list[ChainedEntry]:
        """Chain several entries in order under one head lock (a batched unit of work).

        Returns the entries as stored. Checkpoints are signed at every multiple of
        ``checkpoint_every`` the batch passes, exactly as one-by-one appends would.
        """
        subjects = [self._subject(record) for record in records]
        if not records:
            return []
        with self._store.join(tx) as session:
            connection = session.connection()
            head = connection.execute(_LOCK_HEAD).one_or_none()
            if head is None:
                raise AuditError("the audit chain head is missing: run `brug db upgrade`")
            seq, prev = int(head.seq), str(head.entry_hash)
            now = self._store.clock()
            entries: list[ChainedEntry] = []
            for record, subject in zip(records, subjects, strict=True):
                seq += 1
                pending = ChainedEntry(
                    seq=seq,
                    recorded_at=now,
                    partner=record.partner,
                    operation=record.operation,
                    direction=record.direction,
                    message_id=record.message_id,
                    digest=record.digest,
                    signature_value=record.signature_value,
                    outcome=record.outcome,
                    subject=subject,
                    sent_at=record.sent_at,
                    prev_hash=prev,
                    entry_hash="",
                )
                # Hashed exactly as every verifier hashes a stored row (entry_fields).
                hashed = entry_hash(prev, entry_fields(pending))
                entries.append(replace(pending, entry_hash=hashed))
                prev = hashed
            insert_rows(connection, _ENTRY, [_row(entry) for entry in entries])
            connection.execute(_MOVE_HEAD, {"seq": seq, "entry_hash": prev})
            if self._signer is not None and self._every > 0:
                for entry in entries:
                    if entry.seq % self._every == 0:
                        self._sign_head(session, entry.seq, entry.entry_hash, self._signer)
            return entries

    def _subject(self, record: AuditRecord) -> str | None:
        if record.direction not in ("in", "out"):
            raise AuditError(f"direction must be 'in' or 'out', not {record.direction!r}")
        if record.insz is None:
            return None
        if self._subjects is None:
            raise AuditError("an INSZ was given but no subject hashing key is configured")
        return self._subjects.hash(record.insz)

    def checkpoint(self, *, tx: Session | None = None) -> AuditCheckpointRow | None:
        """Sign the current head now (e.g. at shutdown or on a timer); None on an empty log."""
        if self._signer is None:
            raise AuditError("no checkpoint signing key is configured")
        with self._store.join(tx) as session:
            head = self._lock_head(session)
            if head.seq == 0:
                return None
            existing = session.get(AuditCheckpointRow, head.seq)
            if existing is not None:
                return existing
            return self._sign_head(session, head.seq, head.entry_hash, self._signer)

    def _lock_head(self, session: Session) -> AuditHeadRow:
        head = session.scalars(
            select(AuditHeadRow)
            .where(AuditHeadRow.id == HEAD_ID)
            .with_for_update()
            .execution_options(populate_existing=True)  # appends move the head with Core
        ).one_or_none()
        if head is None:
            raise AuditError("the audit chain head is missing: run `brug db upgrade`")
        return head

    def _sign_head(
        self, session: Session, seq: int, head_hash: str, signer: CheckpointSigner
    ) -> AuditCheckpointRow:
        created = self._store.clock()
        payload = checkpoint_payload(seq, head_hash, created, signer.key_id)
        row = AuditCheckpointRow(
            seq=seq,
            entry_hash=head_hash,
            created_at=created,
            key_id=signer.key_id,
            algorithm=signer.algorithm,
            signature=signer.sign(payload),
        )
        session.add(row)
        session.flush()
        return row
