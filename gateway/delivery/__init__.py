"""Durable delivery to partner services: a transactional outbox and the workers draining it.

A message to a partner is first committed to the outbox (``Outbox.enqueue``), in the same unit of
work as whatever caused it; only then is the sender acknowledged. Workers claim entries under a
lease, send them through a :class:`Transport`, and record the partner's answer. Delivery is
at-least-once: a worker that dies after sending but before recording leaves an entry that is sent
again once its lease expires, so partners must deduplicate on the message id (as the gateway's
own inbox does).
"""

from __future__ import annotations

from gateway.delivery.circuit import CircuitBreaker, CircuitState
from gateway.delivery.entries import OutboxEntry, OutboxStatus, PartnerAnswer
from gateway.delivery.errors import (
    MessageIdConflict,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from gateway.delivery.inbox import Inbox, InboxConflict, InboxDecision, InboxInProgress
from gateway.delivery.outbox import Outbox
from gateway.delivery.policy import DeliveryPolicy, PartnerPolicy
from gateway.delivery.transport import Transport
from gateway.delivery.worker import DeliveryWorker, WorkerReport

__all__ = [
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
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "Transport",
    "WorkerReport",
]
