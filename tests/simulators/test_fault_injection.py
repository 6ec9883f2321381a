"""Fault injection through the admin API, seen from the gateway's client.

Fault settings are shared by everyone using the session's simulator, so each test heals the
simulator in ``finally``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from adapters.brussels.client import BrusselsClient
from adapters.simulation.faults import FaultInjector, FaultSettings
from adapters.simulation.process import RunningProcess
from adapters.soap.errors import TransientPartnerError
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import bev_record, header, signer, verifier


@pytest.fixture
def client(brussels_sim: RunningProcess, pki: PkiLayout) -> Iterator[BrusselsClient]:
    with BrusselsClient(brussels_sim.service_url, signer(pki), verifier(pki), timeout=5) as c:
        yield c
    brussels_sim.clear_faults()


def test_fail_ratio_fails_about_that_share(
    brussels_sim: RunningProcess, client: BrusselsClient
) -> None:
    brussels_sim.set_faults(fail_ratio=0.3, seed=11)
    failures = 0
    attempts = 40
    for n in range(attempts):
        record = bev_record(record_id=f"BEV-FR-{n:04d}")
        try:
            client.send(client.build_receive_request(record, header()))
        except TransientPartnerError as exc:
            assert exc.status_code == 503
            failures += 1
    assert 0.1 * attempts <= failures <= 0.55 * attempts
    assert brussels_sim.admin("GET", "health")["faults"]["injected"]["fail"] == failures


def test_down_for_fails_then_recovers(brussels_sim: RunningProcess, client: BrusselsClient) -> None:
    envelope = client.build_receive_request(bev_record(record_id="BEV-DOWN-1"), header())
    brussels_sim.set_faults(down_for_seconds=1.0)
    with pytest.raises(TransientPartnerError) as refused:
        client.send(envelope)
    assert refused.value.status_code == 503
    assert brussels_sim.admin("GET", "health")["status"] == "ok"  # admin stays reachable
    deadline = time.monotonic() + 5
    while True:  # bounded: the outbox would retry like this
        try:
            answer = client.send(envelope)
            break
        except TransientPartnerError:
            assert time.monotonic() < deadline, "simulator did not come back"
            time.sleep(0.2)
    assert answer.acknowledgement is not None and answer.acknowledgement.status == "accepted"


def test_answer_lost_after_processing_is_delivered_exactly_once(
    brussels_sim: RunningProcess, client: BrusselsClient
) -> None:
    h = header()
    envelope = client.build_receive_request(bev_record(record_id="BEV-LOST-1"), h)
    brussels_sim.set_faults(fail_ratio=1.0, fail_mode="after")
    with pytest.raises(TransientPartnerError):
        client.send(envelope)
    brussels_sim.clear_faults()
    answer = client.send(envelope)  # the retry
    assert answer.acknowledgement is not None
    assert answer.acknowledgement.message_id == h.message_id
    seen = brussels_sim.received(str(h.message_id))
    assert seen == {"message_id": str(h.message_id), "requests": 2, "stored": 1}


def test_latency_is_applied(brussels_sim: RunningProcess, client: BrusselsClient) -> None:
    brussels_sim.set_faults(latency_ms=300)
    started = time.monotonic()
    client.send(client.build_receive_request(bev_record(record_id="BEV-SLOW-1"), header()))
    assert time.monotonic() - started >= 0.3


def test_timeout_is_transient(brussels_sim: RunningProcess, pki: PkiLayout) -> None:
    brussels_sim.set_faults(latency_ms=1500)
    impatient = BrusselsClient(brussels_sim.service_url, signer(pki), verifier(pki), timeout=0.3)
    try:
        with pytest.raises(TransientPartnerError, match="Timeout"):
            impatient.send(impatient.build_receive_request(bev_record(), header()))
    finally:
        brussels_sim.clear_faults()
        impatient.close()


def test_injector_decisions_are_seeded() -> None:
    def run() -> list[str | None]:
        injector = FaultInjector(FaultSettings(fail_ratio=0.5, seed=3))
        return [injector.decide().action for _ in range(50)]

    assert run() == run()
    assert 10 < run().count("fail") < 40


def test_admin_and_binding_are_loopback_only(pki: PkiLayout) -> None:
    from typer.testing import CliRunner

    from adapters.simulation.app import is_loopback
    from gateway.cli import app

    assert is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("10.0.0.1") and not is_loopback(None) and not is_loopback("host")
    result = CliRunner().invoke(
        app, ["simulate", "brussels", "--port", "8999", "--pki", str(pki.root), "--host", "0.0.0.0"]
    )
    assert result.exit_code == 2
