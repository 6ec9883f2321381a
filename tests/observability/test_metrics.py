"""The Prometheus families brug promises, and the /metrics endpoint serving them."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.observability import BrugMetrics, Outcome
from gateway.observability.metrics_server import serve_metrics

FAMILIES = {
    "brug_messages": "counter",
    "brug_retries": "counter",
    "brug_request_seconds": "histogram",
    "brug_partner_call_seconds": "histogram",
    "brug_outbox_pending": "gauge",
}


def parsed(metrics: BrugMetrics) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}


def test_exposition_contains_every_family_with_its_type() -> None:
    metrics = BrugMetrics()
    metrics.count_message("brussels", "ReceiveBevRecord", Outcome.DELIVERED)
    metrics.count_retry("brussels")
    metrics.observe_request("wse-vov", "/vov/registrations", 0.02)
    with metrics.time_partner_call("brussels", "ReceiveBevRecord"):
        pass
    metrics.set_outbox_pending("brussels", 3)
    families = {
        f.name: f.type for f in text_string_to_metric_families(metrics.exposition().decode())
    }
    for name, kind in FAMILIES.items():
        assert families[name] == kind
    text = metrics.exposition().decode()
    assert (
        'brug_messages_total{operation="ReceiveBevRecord",outcome="delivered",'
        'partner="brussels"} 1.0'
    ) in text
    assert 'brug_retries_total{partner="brussels"} 1.0' in text
    assert 'brug_outbox_pending{partner="brussels"} 3.0' in text


def test_partner_call_is_timed_even_when_it_fails() -> None:
    metrics = BrugMetrics()
    with pytest.raises(ConnectionError), metrics.time_partner_call("federal", "GetCareerBreaks"):
        raise ConnectionError("refused")
    text = metrics.exposition().decode()
    assert (
        'brug_partner_call_seconds_count{operation="GetCareerBreaks",partner="federal"} 1.0' in text
    )


def test_outcome_is_a_closed_set() -> None:
    with pytest.raises(ValueError):
        BrugMetrics().count_message("brussels", "x", "exploded")  # type: ignore[arg-type]


def test_outbox_pending_read_from_the_source_at_scrape_time() -> None:
    pending = {"brussels": 2, "federal": 0}
    metrics = BrugMetrics(outbox_pending=lambda: pending)
    assert 'brug_outbox_pending{partner="brussels"} 2.0' in metrics.exposition().decode()
    pending["brussels"] = 7
    assert 'brug_outbox_pending{partner="brussels"} 7.0' in metrics.exposition().decode()
    with pytest.raises(RuntimeError):
        metrics.set_outbox_pending("brussels", 1)


def test_registries_are_independent() -> None:
    first, second = BrugMetrics(), BrugMetrics()
    first.count_retry("brussels")
    assert "brug_retries_total{" not in second.exposition().decode()


def test_the_metrics_listener_serves_the_registry_on_its_own_port() -> None:
    metrics = BrugMetrics()
    metrics.count_message("federal", "GetCareerBreaks", Outcome.ACCEPTED)
    listener = serve_metrics(metrics.registry, "127.0.0.1", 0)  # 0: any free port
    try:
        response = httpx.get(f"http://127.0.0.1:{listener.port}/metrics", timeout=5)
    finally:
        listener.close()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in FAMILIES:
        assert f"# TYPE {name}" in response.text
    with pytest.raises(httpx.ConnectError):  # closed: the port is free again
        httpx.get(f"http://127.0.0.1:{listener.port}/metrics", timeout=5)


def test_a_taken_metrics_port_is_an_os_error() -> None:
    first = serve_metrics(BrugMetrics().registry, "127.0.0.1", 0)
    try:
        with pytest.raises(OSError):
            serve_metrics(BrugMetrics().registry, "127.0.0.1", first.port)
    finally:
        first.close()
