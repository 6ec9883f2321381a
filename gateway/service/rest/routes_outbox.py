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

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from gateway.auth import Principal
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.delivery.errors import EntryNotFound
from gateway.service.context import GatewayContext
from gateway.service.rest import problems
from gateway.service.rest.errors import ApiError, invalid, not_found
from gateway.service.rest.links import href
from gateway.service.rest.outbox_schemas import (
    OutboxEntryDetail,
    OutboxEntrySummary,
    OutboxList,
    OutboxPurged,
)
from gateway.service.rest.paging import Paging, links, paging
from gateway.service.rest.responses import problem_example, problem_responses
from gateway.service.rest.routes_messages import read_answer
from gateway.service.rest.schemas import json_response
from gateway.service.rest.security import ScopeGuards
from gateway.store.tables import OutboxRow

SCOPE = "outbox:admin"
_AGE = re.compile(r"^\s*(\d{1,6})\s*(s|m|h|d|w)\s*$")
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ENTRY_ID = Path(
    alias="entryId", ge=1, le=2**63 - 1, description="the outbox entry id (from the list)"
)


def parse_age(text: str) -> timedelta:
    """``90s``, ``15m``, ``12h``, ``30d``, ``2w`` (as the CLI's ``--older-than``); 400 else."""
    match = _AGE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise invalid(
            "query.olderThan",
            "duration.invalid",
            "a positive age such as 90s, 15m, 12h, 30d or 2w",
            text[:40],
            context="query",
        )
    return timedelta(**{_AGE_UNITS[match.group(2)]: int(match.group(1))})


def summary_of(entry: OutboxEntry, base: str) -> OutboxEntrySummary:
    return OutboxEntrySummary.model_validate(_fields(entry, base))


def detail_of(entry: OutboxEntry, base: str, *, payload: bool) -> OutboxEntryDetail:
    return OutboxEntryDetail.model_validate(
        {
            **_fields(entry, base),
            "digest": entry.digest,
            "answer": read_answer(entry),
            "payload": base64.b64encode(entry.payload).decode("ascii") if payload else None,
        }
    )


def _fields(entry: OutboxEntry, base: str) -> dict[str, Any]:
    """``base``: the API's absolute URI, for the entry's ``self``."""
    pending = entry.status is OutboxStatus.PENDING
    return {
        "self": f"{base}/v1/outbox/{entry.id}",
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

    def listing(
        status: OutboxStatus | None, partner: str | None, paged: Paging
    ) -> tuple[list[OutboxEntry], int]:
        """One page of entries and the number of entries matching (the filter of
        :meth:`Outbox.list <gateway.delivery.outbox.Outbox.list>`, with an offset)."""
        stmt = select(OutboxRow)
        if status is not None:
            stmt = stmt.where(OutboxRow.status == status.value)
        if partner is not None:
            stmt = stmt.where(OutboxRow.partner == partner)
        with context.store.join(None) as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(
                stmt.order_by(OutboxRow.id).offset(paged.offset).limit(paged.page_size)
            )
            return [OutboxEntry.from_row(r) for r in rows], int(total)

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
        request: Request,
        *,
        principal: Principal = admin,
        status: Annotated[OutboxStatus | None, Query(description="only this status")] = None,
        partner: Annotated[str | None, Query(max_length=40, description="only this partner")] = (
            None
        ),
        paged: Annotated[Paging, Depends(paging)],
    ) -> JSONResponse:
        """Entries in id order (oldest first), filtered by status and partner, a page at a
        time; no payloads. Needs ``outbox:admin``."""
        found, total = listing(status, partner, paged)
        base = href(request, "")
        body = OutboxList.model_validate(
            {"items": [summary_of(e, base) for e in found], **links(request, paged, total)}
        )
        return json_response(body)

    @router.get(
        "/outbox/{entryId}",
        response_model=OutboxEntryDetail,
        operation_id="getOutboxEntry",
        summary="Inspect one outbox entry",
        responses=unknown,
    )
    def show_entry(
        request: Request,
        *,
        principal: Principal = admin,
        entry_id: Annotated[int, _ENTRY_ID],
        payload: Annotated[
            bool, Query(description="include the stored message (personal data)")
        ] = False,
    ) -> JSONResponse:
        """Attempts, last error, lease, the partner's answer; the payload only with
        ``?payload=true``. Needs ``outbox:admin``."""
        entry = entry_or_404(entry_id)
        return json_response(detail_of(entry, href(request, ""), payload=payload))

    @router.post(
        "/outbox/{entryId}/retry",
        response_model=OutboxEntryDetail,
        operation_id="retryOutboxEntry",
        summary="Make a dead or waiting entry due now",
        responses={**unknown, **not_retryable},
    )
    def retry_entry(
        request: Request, *, principal: Principal = admin, entry_id: Annotated[int, _ENTRY_ID]
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
        return json_response(detail_of(retried, href(request, ""), payload=False))

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
            str,
            Query(alias="olderThan", description="age such as 30d, 12h, 2w", examples=["30d"]),
        ] = "30d",
    ) -> JSONResponse:
        """Delete delivered and dead entries created longer ago than ``older_than``; pending
        and in-flight entries are never purged. Needs ``outbox:admin``."""
        age = parse_age(older_than)
        body = OutboxPurged.of(outbox.purge(age), age)
        return json_response(body)

    return router


__all__ = ["SCOPE", "outbox_router", "parse_age"]
