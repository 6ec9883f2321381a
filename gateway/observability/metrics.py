"""Prometheus metrics: what an operator needs to see whether partners receive their messages.

Each :class:`BrugMetrics` owns its own :class:`~prometheus_client.CollectorRegistry` instead of the
library's global one, so two apps in one process (tests, the demo) do not collide and a test can
read exactly what it produced.

Labels are kept to bounded sets: ``partner`` is a configured partner (or, for inbound REST
requests, the authenticated client id), ``operation`` a configured operation or a route
template, ``outcome`` one of :class:`Outcome`. Never a message id or an INSZ: each distinct label
value is a time series kept forever by Prometheus.

``brug_outbox_pending`` is read from the store at scrape time when a callback is given: a gauge
pushed by one worker process would be stale or wrong as soon as there are two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

PARTNER_CALL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Outcome(StrEnum):
    """What happened to one message (the ``outcome`` label of ``brug_messages_total``)."""

    ACCEPTED = "accepted"  # validated and queued (inbound)
    REJECTED = "rejected"  # refused: validation, signature, authorisation
    DELIVERED = "delivered"  # the partner acknowledged it
    FAILED = "failed"  # one attempt failed; it will be retried
    DEAD_LETTERED = "dead_lettered"  # given up: permanent error, max attempts or max age


PendingCounts = Callable[[], Mapping[str, int]]


class _PendingCollector(Collector):
    def __init__(self, source: PendingCounts) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "brug_outbox_pending",
            "Messages waiting in the outbox, per partner.",
            labels=["partner"],
        )
        for partner, count in sorted(self._source().items()):
            family.add_metric([partner], count)
        yield family

    def describe(self) -> Iterable[Metric]:
        # Describing lets the registry reject a duplicate name without calling the store.
        return [GaugeMetricFamily("brug_outbox_pending", "", labels=["partner"])]


class BrugMetrics:
    """The gateway's metric families on a private registry."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        outbox_pending: PendingCounts | None = None,
    ) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.messages_total = Counter(
            "brug_messages_total",
            "Messages handled, by partner, operation and outcome.",
            ["partner", "operation", "outcome"],
            registry=self.registry,
        )
        self.retries_total = Counter(
            "brug_retries_total",
            "Delivery attempts that are retries (not the first attempt), per partner.",
            ["partner"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "brug_request_seconds",
            "Time to answer an inbound request; partner is the calling client.",
            ["partner", "operation"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.partner_call_seconds = Histogram(
            "brug_partner_call_seconds",
            "Duration of one outbound call to a partner, whatever its result.",
            ["partner", "operation"],
            buckets=PARTNER_CALL_BUCKETS,
            registry=self.registry,
        )
        self._pending_gauge: Gauge | None = None
        if outbox_pending is None:
            self._pending_gauge = Gauge(
                "brug_outbox_pending",
                "Messages waiting in the outbox, per partner.",
                ["partner"],
                registry=self.registry,
            )
        else:
            register_outbox_pending(self.registry, outbox_pending)

    def count_message(self, partner: str, operation: str, outcome: Outcome) -> None:
        self.messages_total.labels(partner, operation, Outcome(outcome).value).inc()

    def count_retry(self, partner: str) -> None:
        self.retries_total.labels(partner).inc()

    def set_outbox_pending(self, partner: str, count: int) -> None:
        """Only for a registry without a scrape-time callback (a single-process deployment)."""
        if self._pending_gauge is None:
            raise RuntimeError("outbox_pending is read from the store at scrape time")
        self._pending_gauge.labels(partner).set(count)

    @contextmanager
    def time_partner_call(self, partner: str, operation: str) -> Iterator[None]:
        """Observe the duration of the block, also when it raises (failed calls take time too)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.partner_call_seconds.labels(partner, operation).observe(elapsed)

    def observe_request(self, partner: str, operation: str, seconds: float) -> None:
        self.request_seconds.labels(partner, operation).observe(seconds)

    def exposition(self) -> bytes:
        """The text exposition format, as ``/metrics`` serves it."""
        return generate_latest(self.registry)


def register_outbox_pending(registry: CollectorRegistry, source: PendingCounts) -> None:
    """Add ``brug_outbox_pending`` read from ``source`` at scrape time to ``registry``."""
    registry.register(_PendingCollector(source))
