"""Pushing career-break mutations to a small loopback receiver that verifies the signature.

The receiver is brug's own SOAP server pipeline (adapters.soap.server) serving the gateway's
``PushCareerBreakMutation`` from gateway-service-v1.wsdl: ``ksz`` profile, the dev CA, the
federal certificate pinned; it answers a signed acknowledgement as flanders.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from adapters.federal.seed import generate, mutation_feed
from adapters.federal.simulator.mutations import push_mutations
from adapters.federal.xml import mutations_from_xml
from adapters.simulation.process import RunningProcess
from adapters.soap.acknowledgement import Acknowledgement
from adapters.soap.errors import PermanentPartnerError
from adapters.soap.server import Operation, SoapRequest, SoapService
from gateway.models.career_break import CareerBreakMutation
from gateway.soap.faults import GW_NS
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import ROOT, ThreadedServer, signer, verifier

PATH = "/services/gateway/v1"


@dataclass
class Receiver:
    mutations: list[CareerBreakMutation] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)

    def push(self, request: SoapRequest) -> etree._Element:
        inner = request.payload[0]
        read = mutations_from_xml(inner)
        self.mutations.extend(read.body)
        self.signers.append(request.verified.certificate.subject.rfc4514_string())
        ack = Acknowledgement(read.header.message_id, "accepted", datetime.now(UTC))
        return ack.to_element(f"{{{GW_NS}}}PushCareerBreakMutationResponse")


@pytest.fixture
def receiver(pki: PkiLayout) -> Iterator[tuple[Receiver, str]]:
    state = Receiver()
    service = SoapService(
        path=PATH,
        wsdl="gateway-service-v1",
        schema="gateway-service-v1",
        verifier=verifier(pki, "ksz", pin="federal"),
        signer=signer(pki, "flanders", "ksz"),
        operations=[
            Operation(
                "PushCareerBreakMutation",
                f"{{{GW_NS}}}PushCareerBreakMutationRequest",
                state.push,
            )
        ],
    )
    with ThreadedServer(Starlette(routes=service.routes())) as server:
        yield state, server.url + PATH


def test_push_mutations_in_signed_batches(pki: PkiLayout, receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    feed = mutation_feed(generate(5, 300), 120)
    results = push_mutations(
        url,
        feed,
        signer(pki, "federal", "ksz"),
        verifier(pki, "ksz", pin="flanders"),
        batch_size=50,
    )
    assert [r.count for r in results] == [50, 50, 20]
    assert all(r.acknowledgement.status == "accepted" for r in results)
    assert [str(r.acknowledgement.message_id) for r in results] == [r.message_id for r in results]
    assert tuple(state.mutations) == feed
    assert all("federal-rva" in s for s in state.signers)


def test_push_signed_by_the_wrong_party_is_refused(
    pki: PkiLayout, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    feed = mutation_feed(generate(5, 50), 3)
    with pytest.raises(PermanentPartnerError) as refused:
        push_mutations(
            url, feed, signer(pki, "brussels", "ksz"), verifier(pki, "ksz", pin="flanders")
        )
    assert refused.value.fault is not None
    assert refused.value.fault.code == "wsse:FailedAuthentication"
    assert state.mutations == []


def test_running_simulator_pushes_its_feed(
    federal_sim: RunningProcess, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    before = federal_sim.admin("GET", "mutations")["pending"]
    result = federal_sim.admin("POST", "mutations/push", {"url": url, "count": 7})
    assert result["pushed"] == 7
    listing = federal_sim.admin("GET", "mutations")
    assert listing["pending"] == before - 7
    pushed = [m for m in listing["mutations"] if m["pushed"]]
    assert len(pushed) >= 7 and pushed[0]["pushed"]["acknowledgement"] == "accepted"
    assert UUID(pushed[0]["pushed"]["message_id"])
    assert len(state.mutations) == 7
    refused = httpx.post(
        f"{federal_sim.base_url}/_admin/mutations/push",
        json={"url": "http://198.51.100.7/x", "count": 1},
        timeout=5,
    )
    assert refused.status_code == 422 and "loopback" in refused.json()["error"]


def test_cli_push_to(pki: PkiLayout, receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "simulate", "federal", "--pki", str(pki.root),
         "--gateway-cert", str(pki["flanders"].cert), "--workers", "200",
         "--push-to", url, "--count", "5"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"pushed": 5' in done.stdout
    assert len(state.mutations) == 5
