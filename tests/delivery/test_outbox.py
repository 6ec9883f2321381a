"""Outbox: durable, idempotent enqueue; leased, non-overlapping claims."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import timedelta

import pytest

from gateway.delivery import MessageIdConflict, Outbox, OutboxStatus, PartnerAnswer
from gateway.delivery.outbox import Outcome
from gateway.store import Store, open_store
from tests.delivery.helpers import envelope
from tests.support.store import FakeClock

LEASE = timedelta(seconds=30)


def enqueue(outbox: Outbox, message_id: str, partner: str = "bev", **kw: object) -> int:
    return outbox.enqueue(
        partner=partner,
        message_id=message_id,
        operation="NotifyTraining",
        payload=envelope(message_id),
        **kw,  # type: ignore[arg-type]
    ).id


def test_enqueue_survives_a_killed_process(store_url: str, store: Store) -> None:
    """The producer is SIGKILLed right after enqueue returned: a new process still sees it."""
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from gateway.delivery import Outbox
        from gateway.store import Store
        outbox = Outbox(Store({store_url!r}))
        outbox.enqueue(partner="bev", message_id="m-durable", operation="op",
                       payload=b"<signed/>")
        print("acknowledged", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no clean shutdown, no pool close
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert "acknowledged" in result.stdout, result.stderr
    assert result.returncode == -9
    fresh = open_store(store_url)
    try:
        (entry,) = Outbox(fresh).list()
        assert (entry.message_id, entry.payload, entry.status) == (
            "m-durable",
            b"<signed/>",
            OutboxStatus.PENDING,
        )
    finally:
        fresh.dispose()


def test_enqueue_is_idempotent_per_partner_and_message_id(store: Store) -> None:
    outbox = Outbox(store)
    first = enqueue(outbox, "m-1")
    assert enqueue(outbox, "m-1") == first
    assert enqueue(outbox, "m-1", partner="career-break") != first  # other partner, other entry
    assert outbox.counts()[OutboxStatus.PENDING] == 2


def test_enqueue_records_the_origin_everywhere_an_entry_is_read(store: Store) -> None:
    outbox = Outbox(store)
    queued = outbox.enqueue(
        partner="bev", message_id="m-o", operation="op", payload=b"<a/>", origin="client-a"
    )
    assert queued.origin == "client-a"  # the entry built from the inserted values
    with store.transaction() as tx:  # in the caller's unit of work too
        outbox.enqueue(
            partner="bev", message_id="m-o2", operation="op", payload=b"<b/>", origin="c-b", tx=tx
        )
    again = outbox.enqueue(partner="bev", message_id="m-o", operation="op", payload=b"<a/>")
    assert again.origin == "client-a"  # an existing entry keeps its own origin
    assert outbox.get(queued.id).origin == "client-a"
    found = outbox.find("bev", "m-o2")
    assert found is not None and found.origin == "c-b"
    assert outbox.find_message("m-o2")[0].origin == "c-b"
    enqueue(outbox, "m-none")  # a producer that does not say
    claimed = {e.message_id: e.origin for e in outbox.claim_batch("w", 10, LEASE)}
    assert claimed == {"m-o": "client-a", "m-o2": "c-b", "m-none": None}


def test_same_id_with_another_payload_is_a_conflict(store: Store) -> None:
    outbox = Outbox(store)
    enqueue(outbox, "m-1")
    with pytest.raises(MessageIdConflict, match="different payload"):
        outbox.enqueue(partner="bev", message_id="m-1", operation="op", payload=b"<other/>")


def test_enqueue_in_a_rolled_back_unit_of_work_leaves_nothing(store: Store) -> None:
    outbox = Outbox(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        outbox.enqueue(partner="bev", message_id="m-1", operation="op", payload=b"x", tx=tx)
        raise RuntimeError("the effect failed")
    assert outbox.list() == []


def test_claim_takes_due_entries_once_and_counts_the_attempt(
    store: Store, clock: FakeClock
) -> None:
    outbox = Outbox(store)
    for i in range(5):
        enqueue(outbox, f"m-{i}")
    enqueue(outbox, "later", not_before=clock() + timedelta(minutes=1))
    batch = outbox.claim_batch("w1", 3, LEASE)
    assert [e.message_id for e in batch] == ["m-0", "m-1", "m-2"]
    assert all(e.status is OutboxStatus.IN_FLIGHT and e.attempts == 1 for e in batch)
    assert all(e.lease_owner == "w1" and e.lease_expires_at == clock() + LEASE for e in batch)
    rest = outbox.claim_batch("w2", 10, LEASE)
    assert [e.message_id for e in rest] == ["m-3", "m-4"]
    assert outbox.claim_batch("w3", 10, LEASE) == []


def test_expired_lease_is_claimable_again_and_fences_the_old_owner(
    store: Store, clock: FakeClock
) -> None:
    outbox = Outbox(store)
    enqueue(outbox, "m-1")
    (first,) = outbox.claim_batch("dead-worker", 1, LEASE)
    clock.advance(LEASE - timedelta(seconds=1))
    assert outbox.claim_batch("w2", 1, LEASE) == []  # lease still running
    clock.advance(timedelta(seconds=2))
    (again,) = outbox.claim_batch("w2", 1, LEASE)
    assert again.id == first.id and again.attempts == 2 and again.lease_owner == "w2"
    answer = PartnerAnswer(b"<ack/>")
    # The first worker comes back from a long pause: its result no longer counts.
    assert outbox.record("dead-worker", [Outcome(first.id, "delivered", answer=answer)]) == 0
    assert outbox.record("w2", [Outcome(again.id, "delivered", answer=answer)]) == 1
    done = outbox.get(first.id)
    assert done.status is OutboxStatus.DELIVERED and done.partner_answer == b"<ack/>"
    assert done.delivered_at == clock() and done.lease_owner is None


def test_claims_skip_partners_with_an_open_circuit(store: Store) -> None:
    outbox = Outbox(store)
    enqueue(outbox, "a", partner="bev")
    enqueue(outbox, "b", partner="career-break")
    batch = outbox.claim_batch("w", 10, LEASE, exclude_partners=["bev"])
    assert [e.partner for e in batch] == ["career-break"]


def test_release_gives_the_attempt_back(store: Store, clock: FakeClock) -> None:
    outbox = Outbox(store)
    entry_id = enqueue(outbox, "m-1")
    outbox.claim_batch("w", 1, LEASE)
    later = clock() + timedelta(seconds=30)
    outbox.record("w", [Outcome(entry_id, "release", next_attempt_at=later)])
    entry = outbox.get(entry_id)
    assert (entry.status, entry.attempts, entry.next_attempt_at) == (
        OutboxStatus.PENDING,
        0,
        later,
    )


def test_concurrent_claimers_never_share_an_entry(store: Store) -> None:
    """Eight threads, each on its own connection, drain 400 entries: each is claimed once."""
    outbox = Outbox(store)
    with store.transaction() as tx:
        for i in range(400):
            outbox.enqueue(partner="bev", message_id=f"m-{i}", operation="op", payload=b"x", tx=tx)
    claimed: list[list[int]] = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def drain(n: int) -> None:
        barrier.wait()
        while batch := outbox.claim_batch(f"w{n}", 7, LEASE):
            claimed[n].extend(e.id for e in batch)
            outbox.record(
                f"w{n}", [Outcome(e.id, "delivered", answer=PartnerAnswer(b"ok")) for e in batch]
            )

    threads = [threading.Thread(target=drain, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == 400
    assert sum(1 for ids in claimed if ids) > 1  # the work was actually shared
    assert outbox.counts()[OutboxStatus.DELIVERED] == 400


def test_operator_retry_and_purge(store: Store, clock: FakeClock) -> None:
    outbox = Outbox(store)
    dead_id = enqueue(outbox, "dead")
    done_id = enqueue(outbox, "done")
    pending_id = enqueue(outbox, "waiting")
    outbox.claim_batch("w", 2, LEASE)
    outbox.record(
        "w",
        [
            Outcome(dead_id, "dead", error="refused"),
            Outcome(done_id, "delivered", answer=PartnerAnswer(b"ok")),
        ],
    )
    clock.advance(timedelta(days=10))
    assert outbox.purge(timedelta(days=30)) == 0
    revived = outbox.retry(dead_id)
    assert revived.status is OutboxStatus.PENDING and revived.attempts == 0
    assert "retried by operator" in (revived.last_error or "")
    assert outbox.purge(timedelta(days=7)) == 1  # only the delivered one; pending never
    assert {e.id for e in outbox.list()} == {dead_id, pending_id}


def test_purge_dead_deletes_only_the_selected_dead_entries(store: Store) -> None:
    """The console's purge of a selection: pending or delivered entries in it are kept."""
    outbox = Outbox(store)
    dead_a, dead_b, done, waiting = (enqueue(outbox, m) for m in ("pa", "pb", "pdone", "pwait"))
    outbox.claim_batch("w", 3, LEASE)
    outbox.record(
        "w",
        [
            Outcome(dead_a, "dead", error="refused"),
            Outcome(dead_b, "dead", error="refused"),
            Outcome(done, "delivered", answer=PartnerAnswer(b"ok")),
        ],
    )
    purged = outbox.purge_dead([dead_a, done, waiting, 10**9])
    assert [e.message_id for e in purged] == ["pa"]
    assert {e.id for e in outbox.list()} == {dead_b, done, waiting}
    assert outbox.purge_dead([]) == ()
