"""Outbox → worker → PartnerTransport → Brussels simulator, over real sockets.

The outbox keeps the signed form; every attempt is re-signed. Proven here by delivering a
message whose stored signature has long expired, and by a partner outage then recovery.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.brussels.client import BrusselsClient
from adapters.simulation.process import RunningProcess
from gateway.delivery.entries import OutboxStatus
from gateway.delivery.outbox import Outbox
from gateway.delivery.policy import DeliveryPolicy, PartnerPolicy
from gateway.delivery.worker import DeliveryWorker
from gateway.service.transport import PartnerTransport
from gateway.store.database import Store
from gateway.wssecurity import Signer
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import bev_record, header, signer, verifier

FAST = DeliveryPolicy(
    default=PartnerPolicy(
        max_attempts=5,
        backoff_initial=timedelta(milliseconds=1),
        backoff_max=timedelta(milliseconds=5),
        backoff_jitter=timedelta(0),
        breaker_reset=timedelta(milliseconds=200),
    )
)


class _OldClock:
    """Signs as if it were an hour ago: the stored signature is stale by delivery time."""

    def __call__(self) -> datetime:
        return datetime.now(UTC) - timedelta(hours=1)


def _enqueue(outbox: Outbox, client: BrusselsClient, stale: Signer) -> str:
    message_header = header()
    envelope = client.build_receive_request(bev_record(), message_header)
    signed = stale.sign(envelope)
    message_id = str(message_header.message_id)
    outbox.enqueue(
        partner="brussels", message_id=message_id, operation="ReceiveBevRecord", payload=signed
    )
    return message_id


def _client(sim: RunningProcess, pki: PkiLayout) -> BrusselsClient:
    return BrusselsClient(sim.service_url, signer(pki), verifier(pki), timeout=5)


def test_stale_signed_message_is_resigned_and_delivered_once(
    sqlite_url: str, brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    store = Store(sqlite_url)
    store.upgrade()
    outbox = Outbox(store)
    client = _client(brussels_sim, pki)
    stale = Signer(signer(pki).profile, signer(pki).key_material, clock=_OldClock())
    message_id = _enqueue(outbox, client, stale)
    worker = DeliveryWorker(
        outbox, PartnerTransport({"brussels": client.send}), clock=store.clock, policy=FAST
    )
    report = worker.run(until_drained=True)
    assert report.delivered == 1
    entry = outbox.list(status=OutboxStatus.DELIVERED)[0]
    assert entry.partner_answer and b"ReceiveBevRecordResponse" in entry.partner_answer
    assert brussels_sim.received(message_id)["stored"] == 1


def test_partner_down_then_back_delivers_everything(
    sqlite_url: str, brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    store = Store(sqlite_url)
    store.upgrade()
    outbox = Outbox(store)
    client = _client(brussels_sim, pki)
    ids = [_enqueue(outbox, client, signer(pki)) for _ in range(5)]
    worker = DeliveryWorker(
        outbox, PartnerTransport({"brussels": client.send}), clock=store.clock, policy=FAST
    )
    brussels_sim.set_faults(down_for_seconds=1)
    first = worker.run_once()
    assert first.delivered == 0
    brussels_sim.clear_faults()
    worker.run(until_drained=True)
    assert outbox.counts()[OutboxStatus.DELIVERED] == 5
    assert all(brussels_sim.received(i)["stored"] == 1 for i in ids)


def test_unknown_partner_is_dead_lettered(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    store.upgrade()
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
    store = Store(sqlite_url)
    store.upgrade()
    outbox = Outbox(store)
    with ThreadedServer(app) as server:
        client = BrusselsClient(f"{server.url}/bev", signer(pki), verifier(pki), timeout=5)
        message_header = header()
        outbox.enqueue(
            partner="brussels",
            message_id=str(message_header.message_id),
            operation="ReceiveBevRecord",
            payload=signer(pki).sign(client.build_receive_request(bev_record(), message_header)),
            correlation_id="corr-test-42",
        )
        worker = DeliveryWorker(
            outbox, PartnerTransport({"brussels": client.send}), clock=store.clock, policy=FAST
        )
        report = worker.run_once()
    assert report.retried == 1
    assert seen == ["corr-test-42"]
