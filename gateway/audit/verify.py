"""Checking the audit chain: find the FIRST entry that was edited, removed or moved.

Walking the entries in sequence order and recomputing every hash from the previous *recomputed*
hash gives a precise answer for a hand edit of the table:

* a sequence gap -> entries were removed (the first missing number is reported);
* ``prev_hash`` not equal to the previous entry's hash -> entries were reordered or one before
  it was replaced;
* the recomputed hash differs from the stored one -> this entry's fields were edited.

An attacker who also recomputes every following hash defeats the walk, but not the signed
checkpoints: each checkpoint's hash must equal the recomputed chain at its position and its
signature must verify with the gateway's public key. A truncated tail is caught by the chain head
row and by checkpoints beyond the last entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from gateway.audit.chain import GENESIS_HASH, checkpoint_payload, entry_fields, entry_hash
from gateway.audit.signing import CheckpointVerifier
from gateway.store.database import Store
from gateway.store.tables import AuditCheckpointRow, AuditEntryRow, AuditHeadRow


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    kind: str  # edited | missing | reordered | truncated | checkpoint
    detail: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.kind}: {self.detail}"


@dataclass(slots=True)
class VerificationReport:
    entries_checked: int = 0
    last_seq: int = 0
    first_problem: ChainProblem | None = None
    checkpoints_verified: int = 0
    checkpoint_problems: list[ChainProblem] = field(default_factory=list)
    signatures_checked: bool = False

    @property
    def ok(self) -> bool:
        return self.first_problem is None and not self.checkpoint_problems


def verify_chain(
    store: Store, verifier: CheckpointVerifier | None = None, *, batch: int = 5000
) -> VerificationReport:
    report = VerificationReport(signatures_checked=verifier is not None)
    with store.transaction() as session:
        checkpoints = {c.seq: c for c in session.scalars(select(AuditCheckpointRow))}
        head = session.get(AuditHeadRow, 1)
        running = GENESIS_HASH
        expected = 1
        chain_at: dict[int, str] = {}
        rows = session.scalars(
            select(AuditEntryRow).order_by(AuditEntryRow.seq).execution_options(yield_per=batch)
        )
        for row in rows:
            problem = _check_entry(row, expected, running)
            if problem is not None:
                report.first_problem = problem
                break
            running = row.entry_hash
            if row.seq in checkpoints:
                chain_at[row.seq] = running
            report.entries_checked += 1
            report.last_seq = row.seq
            expected += 1
        if report.first_problem is None and head is not None and head.seq != report.last_seq:
            report.first_problem = ChainProblem(
                report.last_seq + 1,
                "truncated",
                f"the chain head says {head.seq} entries, only {report.last_seq} are present",
            )
        for seq in sorted(checkpoints):
            problem = _check_checkpoint(checkpoints[seq], chain_at, report, verifier)
            if problem is not None:
                report.checkpoint_problems.append(problem)
            else:
                report.checkpoints_verified += 1
    return report


def _check_entry(row: AuditEntryRow, expected: int, running: str) -> ChainProblem | None:
    if row.seq != expected:
        gap = f"{expected}" if row.seq == expected + 1 else f"{expected}..{row.seq - 1}"
        return ChainProblem(expected, "missing", f"entries {gap} are missing (next is {row.seq})")
    if row.prev_hash != running:
        return ChainProblem(
            row.seq,
            "reordered",
            "its prev_hash does not link to the entry before it (moved, or a predecessor"
            " was replaced)",
        )
    if entry_hash(running, entry_fields(row)) != row.entry_hash:
        return ChainProblem(row.seq, "edited", "its fields do not match its hash")
    return None


def _check_checkpoint(
    cp: AuditCheckpointRow,
    chain_at: dict[int, str],
    report: VerificationReport,
    verifier: CheckpointVerifier | None,
) -> ChainProblem | None:
    if cp.seq > report.last_seq and report.first_problem is None:
        return ChainProblem(cp.seq, "truncated", "a checkpoint covers entries that are gone")
    recomputed = chain_at.get(cp.seq)
    if recomputed is not None and recomputed != cp.entry_hash:
        return ChainProblem(
            cp.seq, "checkpoint", "the chain up to here differs from what the checkpoint signed"
        )
    if verifier is None:
        return None
    if cp.key_id != verifier.key_id:
        return ChainProblem(cp.seq, "checkpoint", f"signed with another key ({cp.key_id[:16]}…)")
    payload = checkpoint_payload(cp.seq, cp.entry_hash, cp.created_at, cp.key_id)
    if not verifier.verify(payload, cp.signature):
        return ChainProblem(cp.seq, "checkpoint", "the checkpoint signature does not verify")
    return None
