"""A partner over HTTPS with mutual TLS, as real partner endpoints are.

The Brussels simulator serves HTTPS with its dev certificate and requires a client certificate
from the dev CA; brug's configuration names the CA to trust (``tls_ca``) and the client
certificate to present (``tls_cert``/``tls_key``). Readiness probes and deliveries go through the
same TLS settings; without the client certificate neither gets through, and the probe says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.simulation.process import RunningProcess, dev_tls, free_port, start_simulator
from gateway.config import load_settings
from gateway.demo.stack import demo_config
from gateway.errors import BrugValidationError
from gateway.service.context import GatewayContext, build_context
from gateway.service.delivery_loop import build_worker
from gateway.service.operations import readiness
from gateway.wssecurity.pki import PkiLayout, init_pki
from tests.simulators.support import bev_record, header

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def brussels(pki: PkiLayout, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProcess]:
    work = tmp_path_factory.mktemp("brussels")
    sim = start_simulator(
        "brussels",
        free_port(),
        pki.root,
        work / "sim.db",
        gateway_cert=pki["flanders"].cert,
        log_path=work / "sim.log",
        tls=dev_tls(pki.root, "brussels", mutual=True),
    )
    yield sim
    sim.stop()


def _context(tmp_path: Path, pki: PkiLayout, sim: RunningProcess, tls: str) -> GatewayContext:
    url = sim.service_url.replace("127.0.0.1", "localhost")
    assert url.startswith("https://")
    text = demo_config(tmp_path, pki, free_port(), url, "http://127.0.0.1:9/unused")
    text = text.replace(f'url = "{url}"', f'url = "{url}"\n{tls}', 1)
    config = tmp_path / "brug.toml"
    config.write_text(text, encoding="utf-8")
    return build_context(load_settings(config))


def _mutual(pki: PkiLayout) -> str:
    return (
        f'tls_ca = "{pki.root / "ca.pem"}"\n'
        f'tls_cert = "{pki["flanders"].cert}"\ntls_key = "{pki["flanders"].key}"'
    )


def _enqueue(context: GatewayContext) -> str:
    assert context.brussels is not None
    message_header = header()
    envelope = context.brussels.build_receive_request(bev_record(), message_header)
    message_id = str(message_header.message_id)
    context.outbox.enqueue(
        partner="brussels", message_id=message_id, operation="ReceiveBevRecord", payload=envelope
    )
    return message_id


def test_delivery_and_readiness_over_mutual_tls(
    tmp_path: Path, pki: PkiLayout, brussels: RunningProcess
) -> None:
    context = _context(tmp_path, pki, brussels, _mutual(pki))
    try:
        ready, checks = asyncio.run(readiness(context))
        assert ready and checks["partner:brussels"] == {"ok": True, "detail": "ok"}
        message_id = _enqueue(context)
        report = build_worker(context).run_once()
        assert report.delivered == 1, report
        assert brussels.received(message_id), "the simulator stored nothing"
    finally:
        context.close()


@pytest.mark.parametrize(
    ("tls", "detail"),
    [
        ("", "TLS certificate not trusted"),  # the system trust store knows no dev CA
        ('tls_ca = "{ca}"', "connection failed"),  # trusted, but no client certificate
    ],
)
def test_without_the_partners_ca_or_a_client_certificate_nothing_gets_through(
    tmp_path: Path, pki: PkiLayout, brussels: RunningProcess, tls: str, detail: str
) -> None:
    context = _context(tmp_path, pki, brussels, tls.format(ca=pki.root / "ca.pem"))
    try:
        _, checks = asyncio.run(readiness(context))
        assert checks["partner:brussels"] == {"ok": False, "detail": detail}
        _enqueue(context)
        report = build_worker(context).run_once()
        assert report.delivered == 0
    finally:
        context.close()


def test_tls_keys_are_checked_with_the_key_to_fix(
    tmp_path: Path, pki: PkiLayout, brussels: RunningProcess
) -> None:
    with pytest.raises(BrugValidationError) as exc:
        _context(tmp_path, pki, brussels, f'tls_cert = "{pki["flanders"].cert}"')
    assert {v.path: v.rule for v in exc.value.violations} == {
        "partners.brussels.tls_key": "config.tls-pair"
    }
