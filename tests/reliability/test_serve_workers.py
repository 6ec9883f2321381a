"""``brug serve --workers N``: several processes on one socket, coordinated by PostgreSQL.

The workers share nothing but the store, so what must hold across them is what the store
enforces: every signed SOAP message applied once with one audit entry on one unbroken chain, a
replayed signature refused whichever worker sees it, every accepted REST record delivered once.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from adapters.simulation.process import free_port
from gateway.audit.verify import verify_chain
from gateway.soap.envelope import build_envelope, request_headers
from gateway.soap.faults import GW_NS
from gateway.store.database import Store
from gateway.wssecurity import KeyMaterial, Signer, load_profile
from gateway.wssecurity.pki import PkiLayout
from gateway.xml.header import HEADER_NS
from tests.reliability.support import (
    Backend,
    GatewayProcess,
    accepted_ids,
    brussels_simulator,
    gateways,
    metric_sum,
    partner_view,
    sample_lines,
    unfinished,
    wait_until,
    write_config,
)

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACTION = "urn:be:brug:wsdl:gateway-service:1/SubmitBevRecord"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _signed_submissions(pki: PkiLayout, count: int) -> list[bytes]:
    signer = Signer(
        load_profile("strict"),
        KeyMaterial.from_pem(pki["brussels"].key, pki["brussels"].cert),
    )
    out = []
    for _ in range(count):
        message = etree.fromstring((EXAMPLES / "bev-record-v1.xml").read_bytes())
        found = message.find(f".//{{{HEADER_NS}}}messageId")
        assert found is not None
        found.text = str(uuid.uuid4())
        stamp = message.find(f".//{{{HEADER_NS}}}timestamp")
        assert stamp is not None
        stamp.text = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        request = etree.Element(f"{{{GW_NS}}}SubmitBevRecordRequest", nsmap={"gw": GW_NS})
        request.append(message)
        out.append(signer.sign(build_envelope(request, "1.1")))
    return out


@pytest.mark.postgres
@pytest.mark.timeout(240)
def test_two_workers_on_postgresql_apply_each_message_once_on_one_audit_chain(
    workdir: Path, pki: PkiLayout, pg_db: str
) -> None:
    sim = brussels_simulator(workdir, pki)
    with sim:
        port, metrics_port = free_port(), free_port()
        config = write_config(
            workdir, pki, port, sim.service_url, store_url=pg_db, metrics_port=metrics_port
        )
        gateway = GatewayProcess(
            config, port, workdir / "gateway.log", extra_args=("--workers", "2")
        )
        with gateways(gateway):
            gateway.start()
            assert gateway.process is not None
            assert len(_children(gateway.process.pid)) >= 2, gateway.tail()

            # Signed SOAP submissions, concurrently, spread over both workers by the kernel.
            bodies = _signed_submissions(pki, 60)
            url = f"{gateway.url}/soap/gateway/v1"
            headers = request_headers("1.1", ACTION)
            with httpx.Client(timeout=30) as client, ThreadPoolExecutor(8) as pool:
                answers = list(
                    pool.map(lambda b: client.post(url, content=b, headers=headers), bodies)
                )
                assert all(a.status_code == 200 and b"accepted" in a.content for a in answers)
                replayed = [client.post(url, content=bodies[i], headers=headers) for i in range(4)]
            for answer in replayed:  # whichever worker took it, the shared store knew the key
                assert answer.status_code == 500 and b"replay" in answer.content
            # The supervisor's metrics listener sums both workers' counters (multiprocess mode)
            exposition = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
            submitted = 'operation="SubmitBevRecord",outcome="accepted"'
            assert metric_sum(exposition, "brug_messages_total", submitted) == 60
            assert metric_sum(exposition, "brug_messages_total", 'outcome="rejected"') == 4
            # and it is not on the public port
            assert httpx.get(f"{gateway.url}/metrics", timeout=10).status_code == 404

            # REST records through both workers, each delivered once to Brussels.
            backend = Backend(gateway.url, pki)
            try:
                accepted = accepted_ids(backend.bulk(sample_lines(300, seed=3)))
            finally:
                backend.close()
            assert len(accepted) > 150
            wait_until(lambda: unfinished(pg_db) == 0, timeout=90, what="the outbox to drain")

        view = partner_view(sim)
        assert all(view.stored.get(m) == 1 for m in accepted)

    store = Store(pg_db)
    try:
        report = verify_chain(store)
    finally:
        store.dispose()
    assert report.first_problem is None, report.first_problem
    # 60 submissions + 300 bulk lines (accepted or not, each audited once) at least
    assert report.entries_checked >= 60 + len(accepted)


def test_several_workers_on_sqlite_are_refused_with_the_reason(
    workdir: Path, pki: PkiLayout
) -> None:
    config = write_config(workdir, pki, free_port(), "http://127.0.0.1:9/unused")
    run = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(config), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "--workers > 1 needs a PostgreSQL store" in run.stderr
