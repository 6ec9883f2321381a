"""The JSON shapes of the operator endpoints under ``/v1/outbox`` (scope ``outbox:admin``).

Separate from :mod:`gateway.service.rest.schemas` because these are an operator's view of the
outbox (lease holder, digest, entry ids), not part of what a Flemish backend sees of a message.
The payload is personal data: it is only ever present when explicitly asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.service.rest.schemas import AcknowledgementOut, RawAnswer

_OPEN = ConfigDict(frozen=True)

Status = Literal["pending", "in_flight", "delivered", "dead"]


class OutboxEntrySummary(BaseModel):
    """One outbox entry as the list shows it: state and schedule, no answer, no payload."""

    model_config = _OPEN

    id: int = Field(description="the entry id operators retry or inspect by")
    message_id: str
    partner: str
    operation: str
    status: Status
    attempts: int = Field(description="attempts made (counted when claimed)")
    next_attempt_at: datetime | None = Field(description="when a pending entry is due")
    lease_owner: str | None = Field(description="the worker holding an in-flight entry")
    lease_expires_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    correlation_id: str | None


class OutboxEntryDetail(OutboxEntrySummary):
    """An entry with the partner's answer, the payload digest and (on request) the payload."""

    digest: str = Field(description="SHA-256 of the stored (unsigned) payload")
    answer: AcknowledgementOut | RawAnswer | None = Field(
        default=None, description="the partner's answer once delivered"
    )
    payload: str | None = Field(
        default=None,
        description="the stored (unsigned) message in base64, only with ?payload=true "
        "(it holds personal data)",
    )


class OutboxList(BaseModel):
    model_config = _OPEN

    entries: list[OutboxEntrySummary]
    count: int


class OutboxPurged(BaseModel):
    model_config = _OPEN

    purged: int = Field(description="delivered and dead entries deleted")
    older_than_seconds: float = Field(description="the age limit applied, in seconds")

    @classmethod
    def of(cls, purged: int, older_than: timedelta) -> OutboxPurged:
        return cls(purged=purged, older_than_seconds=older_than.total_seconds())
