"""The audit chain: every hand edit, deletion, swap or truncation is found, the first one named."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from gateway.audit import AuditLog, CheckpointSigner, CheckpointVerifier, verify_chain
from gateway.audit.log import AuditError
from gateway.store import Store
from gateway.store.tables import AuditEntryRow
from tests.audit.helpers import SUBJECT_KEY, fill, pem, record
from tests.support.store import FakeClock


@pytest.fixture(params=["ec", "rsa"])
def key_pem(request: pytest.FixtureRequest) -> bytes:
    return pem(request.param)


def verifier_for(key_pem: bytes) -> CheckpointVerifier:
    return CheckpointVerifier.from_pem(key_pem)


def sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_chain_verifies(store: Store, key_pem: bytes) -> None:
    fill(store, key_pem, 12)
    report = verify_chain(store, verifier_for(key_pem))
    assert report.ok and report.entries_checked == 12
    assert report.checkpoints_verified == 2  # entries 5 and 10


def test_insz_is_stored_only_as_a_keyed_hash(store: Store, store_url: str) -> None:
    fill(store, pem(), 3)
    with store.transaction() as tx:
        subjects = set(tx.scalars(select(AuditEntryRow.subject)))
    assert len(subjects) == 1
    (subject,) = subjects
    assert subject is not None and len(subject) == 64 and "85073003328" not in subject
    if store_url.startswith("sqlite"):
        path = store_url.removeprefix("sqlite:///")
        raw = b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if Path(p).exists())
        assert b"85073003328" not in raw


def test_insz_without_a_key_is_refused(store: Store) -> None:
    with pytest.raises(AuditError, match="no subject hashing key"):
        AuditLog(store).append(record(1))


@pytest.mark.parametrize("seq", [1, 4, 9])
def test_edited_entry_is_the_first_problem(store: Store, seq: int) -> None:
    fill(store, pem(), 10)
    sql(store, "UPDATE audit_log SET outcome = 'rejected' WHERE seq = :s", s=seq)
    sql(store, "UPDATE audit_log SET partner = 'x' WHERE seq = :s", s=seq + 1)
    report = verify_chain(store)
    assert report.first_problem is not None
    assert (report.first_problem.seq, report.first_problem.kind) == (seq, "edited")


def test_deleted_entry_is_found(store: Store) -> None:
    fill(store, pem(), 10)
    sql(store, "DELETE FROM audit_log WHERE seq IN (4, 5)")
    problem = verify_chain(store).first_problem
    assert problem is not None and (problem.seq, problem.kind) == (4, "missing")
    assert "4..5" in problem.detail


def test_swapped_entries_are_found(store: Store) -> None:
    fill(store, pem(), 10)
    # Move entry 7 to position 6 and entry 6 to position 7, hashes and all.
    sql(store, "UPDATE audit_log SET seq = -6 WHERE seq = 6")
    sql(store, "UPDATE audit_log SET seq = 6 WHERE seq = 7")
    sql(store, "UPDATE audit_log SET seq = 7 WHERE seq = -6")
    problem = verify_chain(store).first_problem
    assert problem is not None and (problem.seq, problem.kind) == (6, "reordered")


def test_truncated_tail_is_found(store: Store) -> None:
    fill(store, pem(), 10, every=100)
    sql(store, "DELETE FROM audit_log WHERE seq > 8")
    problem = verify_chain(store).first_problem
    assert problem is not None and (problem.seq, problem.kind) == (9, "truncated")


def test_rewritten_history_is_caught_by_the_signed_checkpoint(store: Store) -> None:
    """The attacker edits entry 3 and recomputes every hash and the head: only the signature
    over checkpoint 5 still tells."""
    fill(store, pem(), 7)
    from gateway.audit.chain import entry_fields, entry_hash

    with store.transaction() as tx:
        rows = tx.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)).all()
        rows[2].outcome = "rejected"
        prev = "0" * 64
        for row in rows:
            row.prev_hash = prev
            row.entry_hash = entry_hash(prev, entry_fields(row))
            prev = row.entry_hash
        tx.execute(text("UPDATE audit_head SET entry_hash = :h"), {"h": prev})
    report = verify_chain(store)
    assert report.first_problem is None
    assert [(p.seq, p.kind) for p in report.checkpoint_problems] == [(5, "checkpoint")]


def test_checkpoint_signature_tampering_is_found(store: Store, key_pem: bytes) -> None:
    fill(store, key_pem, 10)
    forged = CheckpointSigner.from_pem(pem()).sign(b"anything")
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_checkpoint SET signature = :s WHERE seq = 10"), {"s": forged}
        )
    report = verify_chain(store, verifier_for(key_pem))
    assert report.first_problem is None
    assert [(p.seq, p.kind) for p in report.checkpoint_problems] == [(10, "checkpoint")]
    assert "signature does not verify" in report.checkpoint_problems[0].detail


def test_checkpoint_checked_with_the_wrong_key_says_so(store: Store) -> None:
    fill(store, pem(), 5)
    report = verify_chain(store, CheckpointVerifier.from_pem(pem()))
    assert "another key" in report.checkpoint_problems[0].detail


def test_explicit_checkpoint_and_time(store: Store, clock: FakeClock) -> None:
    log = fill(store, pem(), 3, every=0)
    clock.advance(timedelta(minutes=1))
    checkpoint = log.checkpoint()
    assert checkpoint is not None and checkpoint.seq == 3
    assert log.checkpoint() is not None  # idempotent on an unchanged head
    assert verify_chain(store).checkpoints_verified == 1


@pytest.mark.postgres
def test_concurrent_appends_keep_one_chain(pg_store: Store) -> None:
    from gateway.audit import SubjectHasher

    log = AuditLog(pg_store, subjects=SubjectHasher(SUBJECT_KEY))
    barrier = threading.Barrier(6)

    def append(n: int) -> None:
        barrier.wait()
        for i in range(25):
            log.append(record(n * 100 + i))

    threads = [threading.Thread(target=append, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify_chain(pg_store)
    assert report.ok and report.entries_checked == 150
