"""The delivery worker of a gateway process: the one pipeline from the outbox to the partners.

``brug serve`` runs it as a background thread, ``brug outbox work`` in the foreground; both
build it here, from the same configuration, so there is one transport (:class:`PartnerTransport`:
sign each attempt, send, verify the partner's signed answer, classify) and one audit of the
attempts. Any number of processes may run it against one PostgreSQL store: claims use
``FOR UPDATE SKIP LOCKED`` and leases, so they share the work and a killed process's messages
are picked up when its leases expire. ``brug serve --no-delivery`` serves requests only.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from adapters.brussels.client import BrusselsClient
from adapters.soap.exchange import PartnerAnswer
from gateway.delivery.circuit import CircuitBreaker
from gateway.delivery.transport import PartnerTransport, Sender
from gateway.delivery.worker import DeliveryWorker, WorkerReport
from gateway.observability.metrics import BrugMetrics, Outcome
from gateway.service.context import BRUSSELS, GatewayContext
from gateway.wssecurity.signer import SignedMessage

log = logging.getLogger("gateway.delivery")

#: the operation each partner receives queued messages on (metrics label)
QUEUED_OPERATIONS = {BRUSSELS: "ReceiveBevRecord"}


@dataclass(frozen=True, slots=True)
class TimedSender:
    """A partner adapter whose deliveries are observed in ``brug_partner_call_seconds``."""

    client: BrusselsClient
    partner: str
    metrics: BrugMetrics

    def sign(self, envelope: bytes) -> SignedMessage:
        return self.client.sign(envelope)

    def deliver(self, sent: SignedMessage) -> PartnerAnswer:
        with self.metrics.time_partner_call(self.partner, QUEUED_OPERATIONS[self.partner]):
            return self.client.deliver(sent)


def partner_transport(context: GatewayContext) -> PartnerTransport:
    """The transport over every configured partner that receives queued messages."""
    senders: dict[str, Sender] = {}
    if context.brussels is not None:
        senders[BRUSSELS] = TimedSender(context.brussels, BRUSSELS, context.metrics)
    return PartnerTransport(senders, replay=context.replay)


def build_worker(context: GatewayContext, *, owner: str | None = None) -> DeliveryWorker:
    config = context.settings.delivery
    return DeliveryWorker(
        context.outbox,
        partner_transport(context),
        clock=context.store.clock,
        policy=context.delivery_policy,
        audit=context.audit,
        owner=owner,
        batch_size=config.batch_size,
        lease=config.lease,
    )


def count_batch(metrics: BrugMetrics, report: WorkerReport) -> None:
    """Delivery outcomes as metrics, labelled by partner and operation."""
    outcomes = {"delivered": Outcome.DELIVERED, "dead": Outcome.DEAD_LETTERED}
    for (partner, kind), count in report.by_partner.items():
        operation = QUEUED_OPERATIONS.get(partner, "unknown")
        for _ in range(count):
            if kind == "retried":
                metrics.count_retry(partner)
            else:
                metrics.count_message(partner, operation, outcomes[kind])


class DeliveryLoop:
    """Start/stop the worker thread with the server's lifespan."""

    def __init__(self, context: GatewayContext) -> None:
        self._worker = build_worker(context)
        self._metrics = context.metrics
        self._stop = threading.Event()
        self._idle = context.settings.delivery.idle_poll.total_seconds()
        self._thread: threading.Thread | None = None

    @property
    def breaker(self) -> CircuitBreaker:
        """This process's circuit breakers (the console shows their state per partner)."""
        return self._worker.breaker

    def _on_batch(self, report: WorkerReport) -> None:
        count_batch(self._metrics, report)

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
