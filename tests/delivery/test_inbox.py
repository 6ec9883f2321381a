"""Inbox: a duplicate gets the first answer and causes no second effect."""

from __future__ import annotations

import threading

import pytest

from gateway.delivery import Inbox, InboxConflict, InboxInProgress, Outbox
from gateway.store import Store, content_digest

REQUEST = b"<request>career break 85073003328</request>"
DIGEST = content_digest(REQUEST)


def handle(store: Store, message_id: str, request: bytes = REQUEST) -> bytes:
    """What the gateway will do: effect + outbox + inbox answer in one unit of work."""
    inbox, outbox = Inbox(store), Outbox(store)
    with store.transaction() as tx:
        decision = inbox.begin("federal", message_id, content_digest(request), tx=tx)
        if not decision.is_new:
            assert decision.answer is not None
            return decision.answer
        # The effect: a message forwarded to the Brussels partner.
        forwarded = outbox.enqueue(
            partner="bev", message_id=f"fwd-{message_id}", operation="op", payload=request, tx=tx
        )
        answer = f"<ack forwarded='{forwarded.id}'/>".encode()
        inbox.complete("federal", message_id, answer, tx=tx)
        return answer


def test_duplicate_returns_the_first_answer_without_a_second_effect(store: Store) -> None:
    first = handle(store, "m-1")
    assert handle(store, "m-1") == first
    assert len(Outbox(store).list()) == 1


def test_reused_id_with_another_request_is_a_conflict(store: Store) -> None:
    handle(store, "m-1")
    with pytest.raises(InboxConflict, match="different request"):
        handle(store, "m-1", b"<request>something else</request>")


def test_a_failed_effect_leaves_no_inbox_row(store: Store) -> None:
    inbox = Inbox(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        assert inbox.begin("federal", "m-1", DIGEST, tx=tx).is_new
        raise RuntimeError("effect failed")
    # The partner's retry is processed as new, as it must be.
    assert handle(store, "m-1").startswith(b"<ack")


def test_begin_outside_a_unit_of_work_reports_in_progress(store: Store) -> None:
    inbox = Inbox(store)
    assert inbox.begin("federal", "m-1", DIGEST).is_new
    with pytest.raises(InboxInProgress):
        inbox.begin("federal", "m-1", DIGEST)
    inbox.complete("federal", "m-1", b"<ok/>")
    assert inbox.begin("federal", "m-1", DIGEST).answer == b"<ok/>"
    with pytest.raises(InboxConflict, match="already answered"):
        inbox.complete("federal", "m-1", b"<again/>")


@pytest.mark.postgres
def test_concurrent_duplicates_have_one_effect(pg_store: Store) -> None:
    answers: list[bytes] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        barrier.wait()
        answers.append(handle(pg_store, "m-race"))

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 6 and len(set(answers)) == 1
    assert len(Outbox(pg_store).list()) == 1
