"""Appending to the audit chain, safely from many processes.

Every append locks the single ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; on
SQLite the store's ``BEGIN IMMEDIATE`` already serializes writers), reads the previous hash and
sequence number, writes the entry and moves the head, all in one transaction. Two processes can
therefore never chain onto the same predecessor, and a rolled-back message leaves no entry.
Pass ``tx=`` to record the entry in the same unit of work as the message it describes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.chain import AuditRecord, checkpoint_payload, entry_fields, entry_hash
from gateway.audit.signing import CheckpointSigner
from gateway.audit.subjects import SubjectHasher
from gateway.errors import BrugError
from gateway.store.database import Store
from gateway.store.tables import AuditCheckpointRow, AuditEntryRow, AuditHeadRow

HEAD_ID = 1


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

    def append(self, record: AuditRecord, *, tx: Session | None = None) -> AuditEntryRow:
        """Chain one entry; with a signer, every ``checkpoint_every``-th entry is signed."""
        if record.direction not in ("in", "out"):
            raise AuditError(f"direction must be 'in' or 'out', not {record.direction!r}")
        subject = None
        if record.insz is not None:
            if self._subjects is None:
                raise AuditError("an INSZ was given but no subject hashing key is configured")
            subject = self._subjects.hash(record.insz)
        with self._store.join(tx) as session:
            head = self._lock_head(session)
            row = AuditEntryRow(
                seq=head.seq + 1,
                recorded_at=self._store.clock(),
                partner=record.partner,
                operation=record.operation,
                direction=record.direction,
                message_id=record.message_id,
                digest=record.digest,
                signature_value=record.signature_value,
                outcome=record.outcome,
                subject=subject,
                prev_hash=head.entry_hash,
                entry_hash="",
            )
            row.entry_hash = entry_hash(head.entry_hash, entry_fields(row))
            session.add(row)
            head.seq = row.seq
            head.entry_hash = row.entry_hash
            session.flush()
            if self._signer is not None and self._every > 0 and row.seq % self._every == 0:
                self._sign_head(session, head, self._signer)
            return row

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
            return self._sign_head(session, head, self._signer)

    def _lock_head(self, session: Session) -> AuditHeadRow:
        head = session.scalars(
            select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).with_for_update()
        ).one_or_none()
        if head is None:
            raise AuditError("the audit chain head is missing: run `brug db upgrade`")
        return head

    def _sign_head(
        self, session: Session, head: AuditHeadRow, signer: CheckpointSigner
    ) -> AuditCheckpointRow:
        created = self._store.clock()
        payload = checkpoint_payload(head.seq, head.entry_hash, created, signer.key_id)
        row = AuditCheckpointRow(
            seq=head.seq,
            entry_hash=head.entry_hash,
            created_at=created,
            key_id=signer.key_id,
            algorithm=signer.algorithm,
            signature=signer.sign(payload),
        )
        session.add(row)
        session.flush()
        return row
