"""``/v1/outbox``: the operator's view of the outbox over REST (scope ``outbox:admin``).

The same four actions as ``brug outbox list|show|retry|purge``, for operators who cannot reach
the database (a managed PostgreSQL, a container without a shell). They use the library's
:class:`~gateway.delivery.outbox.Outbox` methods, so the rules are the CLI's: only dead or
pending entries can be retried (an in-flight one belongs to a worker's lease, a delivered one
is done), and purge deletes only delivered and dead entries. The payload is personal data: it
is returned only with ``?payload=true``.

Retry and purge are idempotent in effect (retrying twice leaves one due entry, purging twice
deletes nothing more), so unlike the backends' writes they take no ``Idempotency-Key``.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from gateway.auth import Principal
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.delivery.errors import EntryNotFound
from gateway.service.context import GatewayContext
from gateway.service.rest import problems
from gateway.service.rest.errors import ApiError, invalid, not_found
from gateway.service.rest.outbox_schemas import (
    OutboxEntryDetail,
    OutboxEntrySummary,
    OutboxList,
    OutboxPurged,
)
from gateway.service.rest.responses import problem_example, problem_responses
from gateway.service.rest.routes_messages import read_answer
from gateway.service.rest.security import ScopeGuards

SCOPE = "outbox:admin"
MAX_LIST = 1000
_AGE = re.compile(r"^\s*(\d{1,6})\s*(s|m|h|d|w)\s*$")
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ENTRY_ID = Path(ge=1, le=2**63 - 1, description="the outbox entry id (from the list)")


def parse_age(text: str) -> timedelta:
    """``90s``, ``15m``, ``12h``, ``30d``, ``2w`` (as the CLI's ``--older-than``); 400 else."""
    match = _AGE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise invalid(
            "query.older_than",
            "duration.invalid",
            "a positive age such as 90s, 15m, 12h, 30d or 2w",
            text[:40],
            context="query",
        )
    return timedelta(**{_AGE_UNITS[match.group(2)]: int(match.group(1))})


def summary_of(entry: OutboxEntry) -> OutboxEntrySummary:
    return OutboxEntrySummary(**_fields(entry))


def detail_of(entry: OutboxEntry, *, payload: bool) -> OutboxEntryDetail:
    return OutboxEntryDetail(
        **_fields(entry),
        digest=entry.digest,
        answer=read_answer(entry),
        payload=base64.b64encode(entry.payload).decode("ascii") if payload else None,
    )


def _fields(entry: OutboxEntry) -> dict[str, Any]:
    pending = entry.status is OutboxStatus.PENDING
    return {
        "id": entry.id,
        "message_id": entry.message_id,
        "partner": entry.partner,
        "operation": entry.operation,
        "status": entry.status.value,
        "attempts": entry.attempts,
        "next_attempt_at": entry.next_attempt_at if pending else None,
        "lease_owner": entry.lease_owner,
        "lease_expires_at": entry.lease_expires_at,
        "last_error": entry.last_error,
        "created_at": entry.created_at,
        "delivered_at": entry.delivered_at,
        "correlation_id": entry.correlation_id,
    }


def outbox_router(context: GatewayContext, guards: ScopeGuards) -> APIRouter:
    router = APIRouter(tags=["outbox"])
    admin = Depends(guards.any_of(SCOPE))
    outbox = context.outbox
    unknown = problem_responses(404, descriptions={404: "no such outbox entry"})
    not_retryable = problem_responses(
        409,
        descriptions={
            409: "in flight or already delivered (urn:problem-type:brug:outboxEntryNotRetryable)"
        },
        examples={
            409: {
                "outboxEntryNotRetryable": problem_example(
                    problems.OUTBOX_ENTRY_NOT_RETRYABLE,
                    "outbox entry 42 is delivered: only dead or pending entries can be retried",
                    entryStatus="delivered",
                    previousStatus="delivered",
                )
            }
        },
    )

    def entry_or_404(entry_id: int) -> OutboxEntry:
        try:
            return outbox.get(entry_id)
        except EntryNotFound:
            raise not_found("outbox_entry", f"no outbox entry {entry_id}") from None

    @router.get(
        "/outbox",
        response_model=OutboxList,
        operation_id="listOutboxEntries",
        summary="List outbox entries",
    )
    def list_entries(
        *,
        principal: Principal = admin,
        status: Annotated[OutboxStatus | None, Query(description="only this status")] = None,
        partner: Annotated[str | None, Query(max_length=40, description="only this partner")] = (
            None
        ),
        limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
    ) -> JSONResponse:
        """Entries in id order (oldest first), filtered by status and partner; no payloads.
        Needs ``outbox:admin``."""
        found = outbox.list(status=status, partner=partner, limit=limit)
        body = OutboxList(entries=[summary_of(e) for e in found], count=len(found))
        return JSONResponse(body.model_dump(mode="json"))

    @router.get(
        "/outbox/{entry_id}",
        response_model=OutboxEntryDetail,
        operation_id="getOutboxEntry",
        summary="Inspect one outbox entry",
        responses=unknown,
    )
    def show_entry(
        *,
        principal: Principal = admin,
        entry_id: Annotated[int, _ENTRY_ID],
        payload: Annotated[
            bool, Query(description="include the signed message (personal data)")
        ] = False,
    ) -> JSONResponse:
        """Attempts, last error, lease, the partner's answer; the payload only with
        ``?payload=true``. Needs ``outbox:admin``."""
        entry = entry_or_404(entry_id)
        return JSONResponse(detail_of(entry, payload=payload).model_dump(mode="json"))

    @router.post(
        "/outbox/{entry_id}/retry",
        response_model=OutboxEntryDetail,
        operation_id="retryOutboxEntry",
        summary="Make a dead or waiting entry due now",
        responses={**unknown, **not_retryable},
    )
    def retry_entry(
        *, principal: Principal = admin, entry_id: Annotated[int, _ENTRY_ID]
    ) -> JSONResponse:
        """A dead or pending entry becomes due now with fresh attempt and age budgets (the
        first enqueue time is kept in ``last_error``). Needs ``outbox:admin``."""
        current = entry_or_404(entry_id)
        try:
            retried = outbox.retry(entry_id)
        except EntryNotFound:
            # The entry exists: the library refuses in_flight and delivered entries this way.
            latest = entry_or_404(entry_id)
            raise ApiError(
                409,
                "outbox_entry_not_retryable",
                f"outbox entry {entry_id} is {latest.status.value}: only dead or pending "
                "entries can be retried",
                kind=problems.OUTBOX_ENTRY_NOT_RETRYABLE,
                entryStatus=latest.status.value,
                previousStatus=current.status.value,
            ) from None
        return JSONResponse(detail_of(retried, payload=False).model_dump(mode="json"))

    @router.post(
        "/outbox/purge",
        response_model=OutboxPurged,
        operation_id="purgeOutboxEntries",
        summary="Purge old entries",
    )
    def purge_entries(
        *,
        principal: Principal = admin,
        older_than: Annotated[
            str, Query(description="age such as 30d, 12h, 2w", examples=["30d"])
        ] = "30d",
    ) -> JSONResponse:
        """Delete delivered and dead entries created longer ago than ``older_than``; pending
        and in-flight entries are never purged. Needs ``outbox:admin``."""
        age = parse_age(older_than)
        body = OutboxPurged.of(outbox.purge(age), age)
        return JSONResponse(body.model_dump(mode="json"))

    return router


__all__ = ["SCOPE", "outbox_router", "parse_age"]
