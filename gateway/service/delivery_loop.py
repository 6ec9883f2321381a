"""The delivery worker inside a gateway process, as a background thread.

Any number of gateway processes may run it against one PostgreSQL store: claims use
``FOR UPDATE SKIP LOCKED`` and leases, so they share the work and a killed process's messages
are picked up when its leases expire. ``brug serve --no-delivery`` serves requests only.
"""

from __future__ import annotations

import logging
import threading

from gateway.delivery.worker import DeliveryWorker, WorkerReport
from gateway.observability.metrics import Outcome
from gateway.service.context import GatewayContext
from gateway.service.transport import PartnerTransport, Sender

log = logging.getLogger("gateway.delivery")


def build_worker(context: GatewayContext, *, owner: str | None = None) -> DeliveryWorker:
    senders: dict[str, Sender] = {}
    if context.brussels is not None:
        senders["brussels"] = context.brussels.send
    config = context.settings.delivery
    return DeliveryWorker(
        context.outbox,
        PartnerTransport(senders),
        clock=context.store.clock,
        policy=context.delivery_policy,
        owner=owner,
        batch_size=config.batch_size,
        lease=config.lease,
    )


class DeliveryLoop:
    """Start/stop the worker thread with the server's lifespan."""

    def __init__(self, context: GatewayContext) -> None:
        self._worker = build_worker(context)
        self._metrics = context.metrics
        self._stop = threading.Event()
        self._idle = context.settings.delivery.idle_poll.total_seconds()
        self._thread: threading.Thread | None = None

    def _on_batch(self, report: WorkerReport) -> None:
        # Only Brussels receives queued messages today (ReceiveBevRecord); label accordingly.
        for _ in range(report.retried):
            self._metrics.count_retry("brussels")
        for _ in range(report.delivered):
            self._metrics.count_message("brussels", "ReceiveBevRecord", Outcome.DELIVERED)
        for _ in range(report.dead):
            self._metrics.count_message("brussels", "ReceiveBevRecord", Outcome.DEAD_LETTERED)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._worker.run(stop=self._stop, idle_sleep=self._idle, on_batch=self._on_batch)
            except Exception:  # the store went away: log, wait, go on (nothing is lost)
                log.exception("delivery loop failed; retrying in 5 s")
                self._stop.wait(5)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="brug-delivery", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
