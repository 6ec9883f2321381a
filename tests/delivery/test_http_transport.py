"""HttpTransport against a real HTTP server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gateway.delivery import (
    DeliveryPolicy,
    DeliveryWorker,
    Outbox,
    OutboxEntry,
    OutboxStatus,
    PartnerPolicy,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from gateway.delivery.entries import OutboxStatus as Status
from gateway.delivery.http_transport import HttpTransport, PartnerEndpoint, soap_fault
from gateway.delivery.loopback import LoopbackPartner
from gateway.store import Store
from tests.delivery.helpers import envelope
from tests.support.store import FakeClock


@pytest.fixture
def partner() -> Iterator[LoopbackPartner]:
    with LoopbackPartner() as running:
        yield running


@pytest.fixture
def transport(partner: LoopbackPartner) -> Iterator[HttpTransport]:
    http = HttpTransport({"bev": PartnerEndpoint(partner.url)}, timeout=5)
    yield http
    http.close()


def entry(message_id: str = "m-1", partner: str = "bev") -> OutboxEntry:
    now = datetime.now(UTC)
    return OutboxEntry(
        id=1,
        message_id=message_id,
        partner=partner,
        operation="urn:bev:Notify",
        payload=envelope(message_id),
        digest="0" * 64,
        status=Status.IN_FLIGHT,
        attempts=1,
        next_attempt_at=now,
        lease_owner="w",
        lease_expires_at=now,
        last_error=None,
        partner_answer=None,
        created_at=now,
        delivered_at=None,
        correlation_id="corr-1",
    )


def test_success_returns_the_answer(partner: LoopbackPartner, transport: HttpTransport) -> None:
    answer = transport.send(entry())
    assert answer.status_code == 200 and b"<Ack>m-1</Ack>" in answer.body
    assert partner.received["m-1"] == 1
    # the same header name the REST API and the partner adapters use
    assert partner.correlation_ids == {"m-1": "corr-1"}


@pytest.mark.parametrize(
    ("mode", "error", "text"),
    [
        ("down", TransientDeliveryError, "HTTP 503"),
        ("server_fault", TransientDeliveryError, "soap:Server"),
        ("reject400", PermanentDeliveryError, "HTTP 400"),
        ("client_fault", PermanentDeliveryError, "soap:Client"),
    ],
)
def test_answers_are_classified(
    partner: LoopbackPartner,
    transport: HttpTransport,
    mode: str,
    error: type[Exception],
    text: str,
) -> None:
    partner.mode = mode
    with pytest.raises(error, match=text):
        transport.send(entry())


def test_connection_refused_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    http = HttpTransport({"bev": PartnerEndpoint(f"http://127.0.0.1:{port}/")}, timeout=2)
    with pytest.raises(TransientDeliveryError, match="ConnectError"):
        http.send(entry())
    http.close()


def test_unknown_partner_is_permanent(transport: HttpTransport) -> None:
    with pytest.raises(PermanentDeliveryError, match="no endpoint"):
        transport.send(entry(partner="elsewhere"))


def test_soap12_sender_fault_is_recognised() -> None:
    body = (
        b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault>'
        b"<e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text>bad</e:Text></e:Reason>"
        b"</e:Fault></e:Body></e:Envelope>"
    )
    assert soap_fault(body) == ("e:Sender", "bad")
    assert soap_fault(b"not xml") is None


def test_worker_delivers_through_a_partner_that_fails_twice(
    store: Store, clock: FakeClock, partner: LoopbackPartner, transport: HttpTransport
) -> None:
    outbox = Outbox(store)
    outbox.enqueue(partner="bev", message_id="m-1", operation="op", payload=envelope("m-1"))
    partner.fail_next = 2
    worker = DeliveryWorker(
        outbox,
        transport,
        clock=clock,
        policy=DeliveryPolicy(default=PartnerPolicy(backoff_initial=timedelta(seconds=1))),
    )
    for _ in range(3):
        worker.run_once()
        clock.advance(timedelta(seconds=10))
    (done,) = outbox.list()
    assert done.status is OutboxStatus.DELIVERED and done.attempts == 3
    assert partner.received["m-1"] == 3 and b"<Ack>m-1</Ack>" in (done.partner_answer or b"")
