"""Durable delivery to partner services: a transactional outbox and the workers draining it.

A message to a partner is first committed to the outbox (``Outbox.enqueue``), unsigned, in the
same unit of work as whatever caused it; only then is the sender acknowledged. Workers claim
entries under a lease, send them through the one :class:`PartnerTransport` (which signs each
attempt afresh and verifies the partner's signed answer), and record the outcome with the
attempt's audit entry. Delivery is at-least-once: a worker that dies after sending but before
recording leaves an entry that is sent again, freshly signed, once its lease expires, so
partners must deduplicate on the message id (as the gateway's own inbox does).
"""

from __future__ import annotations

from gateway.delivery.circuit import CircuitBreaker, CircuitState
from gateway.delivery.entries import OutboxEntry, OutboxStatus, PartnerAnswer
from gateway.delivery.errors import MessageIdConflict
from gateway.delivery.inbox import Inbox, InboxConflict, InboxDecision, InboxInProgress
from gateway.delivery.outbox import Outbox
from gateway.delivery.policy import DeliveryPolicy, PartnerPolicy
from gateway.delivery.transport import Attempt, PartnerTransport, Transport
from gateway.delivery.worker import DeliveryWorker, WorkerReport

__all__ = [
    "Attempt",
    "CircuitBreaker",
    "CircuitState",
    "DeliveryPolicy",
    "DeliveryWorker",
    "Inbox",
    "InboxConflict",
    "InboxDecision",
    "InboxInProgress",
    "MessageIdConflict",
    "Outbox",
    "OutboxEntry",
    "OutboxStatus",
    "PartnerAnswer",
    "PartnerPolicy",
    "PartnerTransport",
    "Transport",
    "WorkerReport",
]
