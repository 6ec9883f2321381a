"""The client's answer policy against a tiny misbehaving server (not the simulator).

Each route answers one way a partner (or a man in the middle) can misbehave; the client must
classify it as transient (retry) or permanent (dead-letter), and never accept an answer whose
signature does not hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.brussels.client import BrusselsClient
from adapters.soap.acknowledgement import Acknowledgement
from adapters.soap.errors import (
    PermanentPartnerError,
    TransientPartnerError,
    UnknownOutcomeError,
    UntrustedAnswerError,
)
from adapters.soap.server import message_id_of
from gateway.errors import Violation
from gateway.soap.envelope import build_envelope, parse_envelope
from gateway.soap.faults import SoapFault, fault_envelope, parse_fault
from gateway.wssecurity import Signer
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import ThreadedServer, bev_record, header, signer, verifier

BS = "urn:be:brug:brussels:bev-service:1"


def _ack(request_body: bytes, signer_: Signer, status: str = "accepted") -> bytes:
    payload = parse_envelope(request_body).payload
    assert payload is not None
    mid = message_id_of(payload)
    ack = Acknowledgement(mid, status, datetime.now(UTC))  # type: ignore[arg-type]
    return signer_.sign(build_envelope(ack.to_element(f"{{{BS}}}ReceiveBevRecordResponse")))


@pytest.fixture(scope="module")
def bad_server(pki: PkiLayout) -> Iterator[str]:
    brussels = signer(pki, "brussels")
    untrusted = signer(pki, "untrusted")

    async def tampered(request: Request) -> Response:
        signed = _ack(await request.body(), brussels)
        return Response(signed.replace(b">accepted<", b">duplicate<"), 200)

    async def untrusted_signer(request: Request) -> Response:
        return Response(_ack(await request.body(), untrusted), 200)

    async def unsigned(request: Request) -> Response:
        payload = parse_envelope(await request.body()).payload
        assert payload is not None
        ack = Acknowledgement(message_id_of(payload), "accepted", datetime.now(UTC))  # type: ignore[arg-type]
        return Response(build_envelope(ack.to_element(f"{{{BS}}}ReceiveBevRecordResponse")), 200)

    async def rejected(request: Request) -> Response:
        return Response(_ack(await request.body(), brussels, "rejected"), 200)

    async def server_fault(request: Request) -> Response:
        return Response(fault_envelope("1.1", "receiver", "database unavailable"), 500)

    async def client_fault(request: Request) -> Response:
        body = fault_envelope(
            "1.1", "sender", "bad", context="BEV", violations=[Violation("/a", "r.x", "why", "v")]
        )
        return Response(body, 500)

    async def html_404(request: Request) -> Response:
        return Response(b"<html>not here</html>", 404)

    async def overloaded(request: Request) -> Response:
        return Response(b"", 429)

    async def garbage_ok(request: Request) -> Response:
        return Response(b"OK", 200)

    routes = {
        "tampered": tampered,
        "untrusted": untrusted_signer,
        "unsigned": unsigned,
        "rejected": rejected,
        "server-fault": server_fault,
        "client-fault": client_fault,
        "html-404": html_404,
        "overloaded": overloaded,
        "garbage": garbage_ok,
    }
    app = Starlette(routes=[Route(f"/{k}", v, methods=["POST"]) for k, v in routes.items()])
    with ThreadedServer(app) as server:
        yield server.url


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ("tampered", UntrustedAnswerError),
        ("untrusted", UntrustedAnswerError),
        ("unsigned", UntrustedAnswerError),
        ("rejected", PermanentPartnerError),
        ("server-fault", TransientPartnerError),
        ("client-fault", PermanentPartnerError),
        ("html-404", PermanentPartnerError),
        ("overloaded", TransientPartnerError),
        ("garbage", UnknownOutcomeError),
    ],
)
def test_misbehaving_answers_are_classified(
    bad_server: str, pki: PkiLayout, route: str, error: type[Exception]
) -> None:
    client = BrusselsClient(f"{bad_server}/{route}", signer(pki), verifier(pki), timeout=5)
    with pytest.raises(error) as raised:
        client.send(client.build_receive_request(bev_record(), header()))
    assert type(raised.value) is error  # one verdict per answer, no subclass overlap
    # Whatever the outcome, the attempt was signed afresh and says what it sent (the audit).
    sent = raised.value.sent  # type: ignore[attr-defined]
    assert sent is not None and sent.signature_value and sent.created


def test_tampered_answer_names_the_failed_check(bad_server: str, pki: PkiLayout) -> None:
    client = BrusselsClient(f"{bad_server}/tampered", signer(pki), verifier(pki), timeout=5)
    with pytest.raises(UntrustedAnswerError, match="wsse:FailedCheck"):
        client.send(client.build_receive_request(bev_record(), header()))


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_fault_round_trip_keeps_violations(version: str) -> None:
    violations = [
        Violation("/x/niss", "xsd.pattern", "bad", "********330"),
        Violation("/y", "r", "m"),
    ]
    raw = fault_envelope(version, "sender", "invalid", context="BEV", violations=violations)  # type: ignore[arg-type]
    fault = parse_fault(parse_envelope(raw).body)
    assert fault is not None
    assert fault.violations == tuple(violations) and fault.context == "BEV"
    assert fault.is_sender_fault
    receiver = parse_fault(parse_envelope(fault_envelope(version, "receiver", "down")).body)  # type: ignore[arg-type]
    assert receiver is not None and not receiver.is_sender_fault


def test_security_fault_classification() -> None:
    assert SoapFault("1.1", "wsse:FailedCheck", "x").is_sender_fault
    assert not SoapFault("1.1", "wsu:MessageExpired", "x").is_sender_fault
    assert not SoapFault("1.2", "env:Sender", "x", subcode="wsu:MessageExpired").is_sender_fault
    assert SoapFault("1.1", "soapenv:Client.Authentication", "x").is_sender_fault
    assert not SoapFault("1.1", "soapenv:Server", "x").is_sender_fault
