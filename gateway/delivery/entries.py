"""Plain, immutable views of outbox rows, safe to pass between threads and sessions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from gateway.store.tables import OutboxRow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class PartnerAnswer:
    """What the partner sent back (kept as the proof it accepted the message)."""

    body: bytes
    status_code: int = 200
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    message_id: str
    partner: str
    operation: str
    payload: bytes = field(repr=False)
    digest: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    last_error: str | None
    partner_answer: bytes | None = field(repr=False)
    created_at: datetime
    delivered_at: datetime | None
    correlation_id: str | None
    #: Who queued it (a REST client id), None for legacy rows and origin-less producers.
    origin: str | None = None

    @classmethod
    def from_mapping(cls, row: Mapping[Any, Any]) -> OutboxEntry:
        """From a Core result row (``RETURNING`` of the table's columns)."""
        values = dict(row)
        values["status"] = OutboxStatus(values["status"])
        return cls(**values)

    @classmethod
    def from_row(cls, row: OutboxRow) -> OutboxEntry:
        return cls(
            id=row.id,
            message_id=row.message_id,
            partner=row.partner,
            operation=row.operation,
            payload=row.payload,
            digest=row.digest,
            status=OutboxStatus(row.status),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            lease_owner=row.lease_owner,
            lease_expires_at=row.lease_expires_at,
            last_error=row.last_error,
            partner_answer=row.partner_answer,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            correlation_id=row.correlation_id,
            origin=row.origin,
        )
