"""Outbox → worker → the one PartnerTransport → Brussels simulator, over real sockets.

The outbox keeps the unsigned envelope; every attempt is signed afresh, audited before it
leaves, and the simulator (``strict`` profile: a Timestamp older than five minutes is refused)
verifies it. Proven here by delivering a message that waited ten minutes, by a partner outage
then recovery, and by a store that fails after the partner answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from adapters.brussels.client import BrusselsClient
from adapters.simulation.process import RunningProcess
from gateway.audit.log import AuditLog
from gateway.delivery.entries import OutboxStatus
from gateway.delivery.outbox import Outbox, Outcome
from gateway.delivery.policy import DeliveryPolicy, PartnerPolicy
from gateway.delivery.transport import PartnerTransport
from gateway.delivery.worker import DeliveryWorker
from gateway.store.database import Store
from gateway.store.replay import SqlReplayCache
from gateway.store.tables import AuditEntryRow, ReplayRow
from gateway.wssecurity import TrustStore, Verifier, load_profile
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import bev_record, header, signer, verifier

FAST = DeliveryPolicy(
    default=PartnerPolicy(
        max_attempts=5,
        backoff_initial=timedelta(milliseconds=1),
        backoff_max=timedelta(milliseconds=5),
        backoff_jitter=timedelta(0),
        breaker_reset=timedelta(milliseconds=200),
        breaker_reset_initial=timedelta(milliseconds=50),
    )
)


def _enqueue(outbox: Outbox, client: BrusselsClient, **kw: object) -> str:
    message_header = header()
    envelope = client.build_receive_request(bev_record(), message_header)
    message_id = str(message_header.message_id)
    outbox.enqueue(
        partner="brussels",
        message_id=message_id,
        operation="ReceiveBevRecord",
        payload=envelope,
        **kw,  # type: ignore[arg-type]
    )
    return message_id


def _client(sim: RunningProcess, pki: PkiLayout, **kw: object) -> BrusselsClient:
    return BrusselsClient(sim.service_url, signer(pki), kw.pop("verifier", None) or verifier(pki))


def _store(url: str, clock: Callable[[], datetime] | None = None) -> Store:
    store = Store(url) if clock is None else Store(url, clock=clock)
    store.upgrade()
    return store


def test_a_message_that_waited_ten_minutes_is_signed_at_send_time_and_audited(
    sqlite_url: str, brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    ten_minutes_ago = _store(sqlite_url, lambda: datetime.now(UTC) - timedelta(minutes=10))
    client = _client(brussels_sim, pki)
    message_id = _enqueue(Outbox(ten_minutes_ago), client)
    ten_minutes_ago.dispose()
    store = _store(sqlite_url)
    outbox = Outbox(store)
    (queued,) = outbox.list()
    assert b"Security" not in queued.payload  # stored unsigned
    assert store.clock() - queued.created_at >= timedelta(minutes=10)
    worker = DeliveryWorker(
        outbox,
        PartnerTransport({"brussels": client}),
        clock=store.clock,
        policy=FAST,
        audit=AuditLog(store),
    )
    report = worker.run(until_drained=True)
    assert report.delivered == 1
    entry = outbox.list(status=OutboxStatus.DELIVERED)[0]
    assert entry.partner_answer and b"ReceiveBevRecordResponse" in entry.partner_answer
    assert brussels_sim.received(message_id)["stored"] == 1
    with store.transaction() as tx:
        audited = tx.scalars(
            select(AuditEntryRow).where(AuditEntryRow.message_id == message_id)
        ).all()
    assert [a.outcome for a in audited] == ["attempt 1: sending", "attempt 1: delivered"]
    sending, delivered = audited
    assert sending.signature_value and sending.signature_value == delivered.signature_value
    assert sending.digest == entry.digest  # the audit names the unsigned message it signed
    created = datetime.fromisoformat(str(sending.sent_at).replace("Z", "+00:00"))
    assert datetime.now(UTC) - created < timedelta(minutes=1)  # fresh, not ten minutes old


def test_partner_down_then_back_delivers_everything(
    sqlite_url: str, brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    store = _store(sqlite_url)
    outbox = Outbox(store)
    client = _client(brussels_sim, pki)
    ids = [_enqueue(outbox, client) for _ in range(5)]
    worker = DeliveryWorker(
        outbox, PartnerTransport({"brussels": client}), clock=store.clock, policy=FAST
    )
    brussels_sim.set_faults(down_for_seconds=1)
    first = worker.run_once()
    assert first.delivered == 0
    brussels_sim.clear_faults()
    worker.run(until_drained=True)
    assert outbox.counts()[OutboxStatus.DELIVERED] == 5
    assert all(brussels_sim.received(i)["stored"] == 1 for i in ids)


class _RecordFailsTwice(Outbox):
    """The store refuses the first two records (as a PostgreSQL restart would)."""

    failures = 2

    def record(
        self,
        owner: str,
        outcomes: Sequence[Outcome],
        *,
        prepare: Callable[[Session, Sequence[Outcome]], Sequence[Outcome]] | None = None,
    ) -> int:
        if self.failures:
            self.failures -= 1
            raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection"))
        return super().record(owner, outcomes, prepare=prepare)


def test_an_answer_received_is_recorded_once_the_store_is_back_not_sent_again(
    sqlite_url: str, brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    store = _store(sqlite_url)
    replay = SqlReplayCache(store)
    answers = Verifier(
        load_profile("strict"),
        TrustStore.from_pem_files([pki.root / "ca.pem"]),
        pins=[x509.load_pem_x509_certificate(pki["brussels"].cert.read_bytes())],
        replay_cache=replay,
    )
    client = _client(brussels_sim, pki, verifier=answers)
    outbox = _RecordFailsTwice(store)
    message_id = _enqueue(outbox, client)
    worker = DeliveryWorker(
        outbox,
        PartnerTransport({"brussels": client}, replay=replay),
        clock=store.clock,
        policy=FAST,
    )
    report = worker.run_once()
    assert report.delivered == 1 and outbox.failures == 0
    assert brussels_sim.received(message_id)["requests"] == 1  # sent once, recorded late
    with store.transaction() as tx:  # the answer's signature was remembered with the record
        assert tx.scalars(select(ReplayRow.key)).all()


def test_unknown_partner_is_dead_lettered(sqlite_url: str) -> None:
    store = _store(sqlite_url)
    outbox = Outbox(store)
    outbox.enqueue(partner="wallonia", message_id="m-1", operation="X", payload=b"<x/>")
    worker = DeliveryWorker(outbox, PartnerTransport({}), clock=store.clock, policy=FAST)
    worker.run(until_drained=True)
    (entry,) = outbox.list(status=OutboxStatus.DEAD)
    assert "no adapter" in (entry.last_error or "")


def test_attempt_carries_the_queued_correlation_id(sqlite_url: str, pki: PkiLayout) -> None:
    """The partner sees the X-Correlation-ID of the request that queued the message."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.simulators.support import ThreadedServer

    seen: list[str | None] = []

    async def receive(request: Request) -> Response:
        seen.append(request.headers.get("x-correlation-id"))
        return Response(status_code=503)

    app = Starlette(routes=[Route("/bev", receive, methods=["POST"])])
    store = _store(sqlite_url)
    outbox = Outbox(store)
    with ThreadedServer(app) as server:
        client = BrusselsClient(f"{server.url}/bev", signer(pki), verifier(pki), timeout=5)
        _enqueue(outbox, client, correlation_id="corr-test-42")
        worker = DeliveryWorker(
            outbox, PartnerTransport({"brussels": client}), clock=store.clock, policy=FAST
        )
        report = worker.run_once()
    assert report.retried == 1
    assert seen == ["corr-test-42"]
