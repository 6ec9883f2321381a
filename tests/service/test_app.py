"""The assembled application: operations endpoints, and REST + SOAP + docs mounted together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.simulation.process import RunningProcess
from gateway.service.app import create_app
from gateway.service.context import GatewayContext
from gateway.wssecurity.pki import PkiLayout
from tests.service.rest.conftest import new_context
from tests.simulators.support import federal_sim  # noqa: F401 - pytest fixture


@pytest.fixture
def gateway(
    tmp_path: Path,
    pki: PkiLayout,
    brussels_sim: RunningProcess,
    federal_sim: RunningProcess,  # noqa: F811
) -> Iterator[tuple[GatewayContext, TestClient]]:
    context = new_context(tmp_path, pki, brussels_sim, federal_sim)
    with TestClient(create_app(context, delivery=True)) as client:
        yield context, client
    context.close()


def test_health_ready_docs_wsdl_and_no_public_metrics(
    gateway: tuple[GatewayContext, TestClient],
) -> None:
    _, client = gateway
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["store"]["ok"] is True
    assert checks["partner:brussels"]["ok"] is True
    # metrics have their own listener ([metrics] listen), never the public port
    assert client.get("/metrics").status_code == 404
    metrics = gateway[0].metrics.exposition().decode()
    assert "brug_messages_total" in metrics
    assert "brug_outbox_pending" in metrics
    assert client.get("/docs").status_code == 200
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/v1/vov-registrations" in document["paths"]
    wsdl = client.get("/soap/gateway/v1?wsdl")
    assert wsdl.status_code == 200
    assert b"SubmitBevRecord" in wsdl.content


def test_readyz_names_an_unreachable_partner(
    gateway: tuple[GatewayContext, TestClient], brussels_sim: RunningProcess
) -> None:
    context, client = gateway
    partner = context.partners["brussels"]
    down = partner.config.model_copy(update={"url": "http://127.0.0.1:9"})
    context.partners["brussels"] = type(partner)(
        partner.name, down, partner.signer, partner.verifier, partner.pins
    )
    body = client.get("/readyz").json()
    assert body["checks"]["partner:brussels"]["ok"] is False
    assert body["checks"]["partner:brussels"]["detail"] == "unreachable"  # brug's words only
    # a partner that is down only delays delivery: the gateway stays ready while the store is
    assert body["status"] == "ready"


def _point(context: GatewayContext, name: str, url: str) -> None:
    partner = context.partners[name]
    moved = partner.config.model_copy(update={"url": url})
    context.partners[name] = type(partner)(
        partner.name, moved, partner.signer, partner.verifier, partner.pins
    )


def test_readyz_probes_the_partner_service_not_just_its_port(
    gateway: tuple[GatewayContext, TestClient], brussels_sim: RunningProcess
) -> None:
    # the old examples/brug.toml: the simulator's port, a path it does not serve
    context, client = gateway
    _point(context, "brussels", brussels_sim.base_url + "/soap/bev")
    _point(context, "federal", brussels_sim.base_url + "/_admin/health")  # 200, not a WSDL
    checks = client.get("/readyz").json()["checks"]
    assert checks["partner:brussels"] == {"ok": False, "detail": "WSDL answered HTTP 404"}
    assert checks["partner:federal"] == {"ok": False, "detail": "answered 200 without a WSDL"}
    _point(context, "brussels", brussels_sim.service_url)
    assert client.get("/readyz").json()["checks"]["partner:brussels"] == {
        "ok": True,
        "detail": "ok",
    }


def test_correlation_id_is_echoed(gateway: tuple[GatewayContext, TestClient]) -> None:
    _, client = gateway
    answer = client.get("/healthz", headers={"X-Correlation-ID": "demo-123"})
    assert answer.headers["X-Correlation-ID"] == "demo-123"


def test_requests_are_labelled_by_their_full_route_template(
    gateway: tuple[GatewayContext, TestClient],
) -> None:
    context, client = gateway
    client.get("/healthz")
    client.get("/soap/gateway/v1?wsdl")
    client.get("/v1/odb-courses/ODB-1234/5")  # 401 without a token, still a known route
    client.get("/docs")
    client.get("/no-such-page")
    text = context.metrics.exposition().decode()
    labels = {
        line.split('operation="', 1)[1].split('"', 1)[0]
        for line in text.splitlines()
        if line.startswith("brug_request_seconds_count")
    }
    assert {
        "/healthz",
        "/soap/gateway/v1",
        "/v1/odb-courses/{odbNumber}",
        "/docs",
        "unmatched",
    } <= labels
    assert not any(":" in label for label in labels)  # no path converters
