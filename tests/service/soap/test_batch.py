"""Group commit of prepared submissions: several messages in one transaction, same outcomes.

Batches are formed for real: the test holds the store (SQLite: its write lock; PostgreSQL: the
audit chain's head row) while requests queue behind the writer thread, then lets go, so the
queued messages are written in one transaction. Every outcome must be the one the message would
get alone. Each test runs on SQLite and on PostgreSQL (multi-row statements with ON CONFLICT and
RETURNING differ between them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select, text

from adapters.soap.acknowledgement import Acknowledgement
from gateway.audit.verify import verify_chain
from gateway.service.soap.pipeline import SoapPipeline
from gateway.service.soap.replies import SoapReply
from gateway.soap.envelope import build_envelope
from gateway.store.tables import AuditEntryRow, InboundRecordRow, InboxRow, ReplayRow
from gateway.wssecurity.pki import PkiLayout
from gateway.wssecurity.verifier import Verifier
from tests.service.soap.support import Gateway, build, count_rows, example, id_of, submit_bev


@contextmanager
def _held(gateway: Gateway, pipeline: SoapPipeline, queued: int) -> Iterator[None]:
    """Hold the store until ``queued`` messages wait for the writer, then release it."""
    with gateway.context.store.transaction() as tx:
        if gateway.context.store.dialect == "postgresql":
            tx.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
        yield
        deadline = time.monotonic() + 20
        while pipeline.batch.waiting < queued:
            assert time.monotonic() < deadline, f"only {pipeline.batch.waiting} queued"
            time.sleep(0.01)


def _process_together(
    gateway: Gateway, pipeline: SoapPipeline, first: bytes, rest: list[bytes]
) -> list[SoapReply]:
    """``first`` alone (it takes the writer, then waits on the held store), ``rest`` queued
    behind it and written as one batch once the store is released."""
    with ThreadPoolExecutor(len(rest) + 1) as pool:
        futures: list[Future[SoapReply]] = []
        with _held(gateway, pipeline, len(rest)):
            futures.append(pool.submit(pipeline.process, first))
            time.sleep(0.2)  # the writer has taken `first` and waits for the store
            futures += [pool.submit(pipeline.process, raw) for raw in rest]
        return [f.result(timeout=30) for f in futures]


def _ack(reply: SoapReply, verifier: Verifier) -> Acknowledgement:
    assert reply.status == 200, reply.body[:300]
    payload = verifier.verify(reply.body).body
    return Acknowledgement.from_element(next(iter(payload)))


def _fault_text(reply: SoapReply) -> str:
    assert reply.status in (400, 500), reply.status
    return etree.tostring(etree.fromstring(reply.body), encoding="unicode")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gateway(request: pytest.FixtureRequest, pki: PkiLayout, tmp_path: Path) -> Iterator[Gateway]:
    """This module's own gateway context (no socket: the tests drive the pipeline directly)."""
    url = None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    context = build(tmp_path, pki, url)
    try:
        yield Gateway(context, "http://unused.invalid", pki)
    finally:
        context.close()


@pytest.fixture
def pipeline(gateway: Gateway) -> SoapPipeline:
    return SoapPipeline(gateway.context)


def test_queued_submissions_are_written_in_one_batch_each_once(
    gateway: Gateway, pipeline: SoapPipeline
) -> None:
    messages = [example("bev-record-v1.xml") for _ in range(9)]
    signed = [gateway.sign("brussels", submit_bev(m)) for m in messages]
    replies = _process_together(gateway, pipeline, signed[0], signed[1:])
    verifier = gateway.verifier("brussels")
    assert [_ack(r, verifier).status for r in replies] == ["accepted"] * 9
    assert pipeline.batch.stats.largest == 8 and pipeline.batch.stats.fallbacks == 0
    for message in messages:
        message_id = id_of(message)
        assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 1
        assert count_rows(gateway, InboxRow, message_id=message_id, status="answered") == 1
        assert count_rows(gateway, AuditEntryRow, message_id=message_id, outcome="accepted") == 1
    report = verify_chain(gateway.context.store)
    assert report.first_problem is None


def test_replay_repeat_and_conflict_queued_together_get_what_they_would_get_alone(
    gateway: Gateway, pipeline: SoapPipeline
) -> None:
    original = example("bev-record-v1.xml")
    message_id = id_of(original)
    envelope = build_envelope(submit_bev(original))
    signer = gateway.signer("brussels")
    first_signed = signer.sign(envelope)
    first = pipeline.process(first_signed)
    verifier = gateway.verifier("brussels")
    first_ack = _ack(first, verifier)
    assert first_ack.status == "accepted"

    other = gateway.sign("brussels", submit_bev(example("bev-record-v1.xml")))
    replayed = first_signed  # byte-identical: a replay
    retry = signer.sign(envelope)  # the partner's retry, freshly signed: a repeat
    conflicting = gateway.sign(
        "brussels", submit_bev(example("bev-record-v1.xml", message_id, correlationId="OTHER"))
    )
    replies = _process_together(gateway, pipeline, other, [replayed, retry, conflicting])
    assert _ack(replies[0], verifier).status == "accepted"
    assert "replay" in _fault_text(replies[1])
    repeat_ack = _ack(replies[2], verifier)  # the first answer again (signed anew)
    assert (repeat_ack.message_id, repeat_ack.status) == (first_ack.message_id, "accepted")
    assert "inbox.conflict" in _fault_text(replies[3])

    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 1
    with gateway.context.store.transaction() as tx:
        outcomes = tx.scalars(
            select(AuditEntryRow.outcome).where(AuditEntryRow.message_id == message_id)
        ).all()
    assert sorted(outcomes) == ["accepted", "repeat"]
    # The conflicting message left no replay key: the same bytes are refused the same way.
    assert "inbox.conflict" in _fault_text(pipeline.process(conflicting))
    assert verify_chain(gateway.context.store).first_problem is None


def test_a_failing_batch_is_redone_message_by_message(
    gateway: Gateway, pipeline: SoapPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = gateway.context.inbox

    def broken(*_: object, **__: object) -> set[tuple[str, str]]:
        raise RuntimeError("a bug in the batched statement")

    monkeypatch.setattr(inbox, "record_answered", broken)
    messages = [example("bev-record-v2.xml") for _ in range(4)]
    signed = [gateway.sign("brussels", submit_bev(m)) for m in messages]
    replayed_before = count_rows(gateway, ReplayRow)
    replies = _process_together(gateway, pipeline, signed[0], signed[1:])
    verifier = gateway.verifier("brussels")
    assert [_ack(r, verifier).status for r in replies] == ["accepted"] * 4
    assert pipeline.batch.stats.fallbacks >= 1
    for message in messages:
        assert count_rows(gateway, InboundRecordRow, message_id=id_of(message)) == 1
    assert count_rows(gateway, ReplayRow) == replayed_before + 4


def test_the_writer_thread_ends_when_idle_and_starts_again(
    gateway: Gateway, pipeline: SoapPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gateway.service.soap.batch as batch

    monkeypatch.setattr(batch, "IDLE_SECONDS", 0.05)
    submit: Callable[[], SoapReply] = lambda: pipeline.process(  # noqa: E731
        gateway.sign("brussels", submit_bev(example("bev-record-v1.xml")))
    )
    assert submit().status == 200
    deadline = time.monotonic() + 5
    while pipeline.batch._thread is not None:
        assert time.monotonic() < deadline, "the writer thread did not end"
        time.sleep(0.02)
    assert submit().status == 200


def test_a_request_waiting_too_long_for_its_batch_is_a_503_and_its_retry_finds_it(
    gateway: Gateway, pipeline: SoapPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gateway.service.soap.batch as batch

    monkeypatch.setattr(batch, "WAIT_SECONDS", 0.3)
    message = example("bev-record-v1.xml")
    envelope = build_envelope(submit_bev(message))
    signer = gateway.signer("brussels")
    with gateway.context.store.transaction() as tx:  # the store is stuck
        if gateway.context.store.dialect == "postgresql":
            tx.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
        reply = pipeline.process(signer.sign(envelope))
    assert reply.status == 503  # retry later; nothing was acknowledged
    # The queued write goes through once the store is free; the partner's retry (signed anew)
    # then gets the first answer, and the record exists once.
    deadline = time.monotonic() + 10
    while count_rows(gateway, InboundRecordRow, message_id=id_of(message)) == 0:
        assert time.monotonic() < deadline, "the queued message was never written"
        time.sleep(0.05)
    retry = pipeline.process(signer.sign(envelope))
    assert _ack(retry, gateway.verifier("brussels")).status == "accepted"
    assert count_rows(gateway, InboundRecordRow, message_id=id_of(message)) == 1
    assert count_rows(gateway, AuditEntryRow, message_id=id_of(message), outcome="repeat") == 1


def test_the_writer_waits_for_an_announced_request_and_writes_both_in_one_batch(
    gateway: Gateway, pipeline: SoapPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request on its way (announced, being verified and mapped) is waited for, so the two
    are written in one transaction; the wait is bounded (here long, to make it certain)."""
    import gateway.service.soap.batch as batch

    monkeypatch.setattr(batch, "GROUP_WAIT_SECONDS", 10.0)
    signed = [gateway.sign("brussels", submit_bev(example("bev-record-v1.xml"))) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool, pipeline.batch.expected():
        # Announced by hand: the writer sees one more request coming than has arrived.
        first = pool.submit(pipeline.process, signed[0])
        time.sleep(0.3)
        assert not first.done(), "the writer did not wait for the announced request"
        second = pool.submit(pipeline.process, signed[1])
        # Both arrived, but the hand-made announcement is still open: both wait for it.
        time.sleep(0.3)
        assert not first.done() and pipeline.batch.waiting == 2
    replies = [first.result(timeout=30), second.result(timeout=30)]  # withdrawn: written now
    assert [r.status for r in replies] == [200, 200]
    assert pipeline.batch.stats.batches == 1 and pipeline.batch.stats.largest == 2


def test_a_request_alone_is_written_without_waiting(
    gateway: Gateway, pipeline: SoapPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gateway.service.soap.batch as batch

    monkeypatch.setattr(batch, "GROUP_WAIT_SECONDS", 10.0)
    signed = gateway.sign("brussels", submit_bev(example("bev-record-v1.xml")))
    started = time.monotonic()
    assert pipeline.process(signed).status == 200
    assert time.monotonic() - started < 5  # nobody else was on the way: no group wait
    # A refused request withdraws its announcement: the next one is not kept waiting either.
    assert pipeline.process(b"<not-soap/>").status in (400, 500)
    started = time.monotonic()
    signed = gateway.sign("brussels", submit_bev(example("bev-record-v1.xml")))
    assert pipeline.process(signed).status == 200
    assert time.monotonic() - started < 5
