"""The JSON shapes of the operator endpoints under ``/v1/outbox`` (scope ``outbox:admin``).

Separate from :mod:`gateway.service.rest.schemas` because these are an operator's view of the
outbox (lease holder, digest, entry ids), not part of what a Flemish backend sees of a message.
The payload is personal data: it is only ever present when explicitly asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from gateway.service.rest.paging import Page
from gateway.service.rest.resources import OUT_CONFIG
from gateway.service.rest.schemas import SELF, AcknowledgementOut, RawAnswer

Status = Literal["pending", "in_flight", "delivered", "dead"]


class OutboxEntrySummary(BaseModel):
    """One outbox entry as the list shows it: state and schedule, no answer, no payload."""

    model_config = OUT_CONFIG

    id: int = Field(description="the entry id operators retry or inspect by")
    message_id: str
    partner: str
    operation: str
    status: Status
    attempts: int = Field(description="attempts made (counted when claimed)")
    next_attempt_at: datetime | None = Field(
        default=None, description="when a pending entry is due"
    )
    lease_owner: str | None = Field(
        default=None, description="the worker holding an in-flight entry"
    )
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    correlation_id: str | None = None
    self_: str = SELF


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


class OutboxList(Page[OutboxEntrySummary]):
    """A page of outbox entries, oldest first."""


class OutboxPurged(BaseModel):
    model_config = OUT_CONFIG

    purged: int = Field(description="delivered and dead entries deleted")
    older_than_seconds: float = Field(description="the age limit applied, in seconds")

    @classmethod
    def of(cls, purged: int, older_than: timedelta) -> OutboxPurged:
        return cls(purged=purged, older_than_seconds=older_than.total_seconds())
