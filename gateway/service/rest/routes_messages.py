"""Following what brug exchanged: a message's delivery state, and records Brussels handed over.

A 202 only says "stored, will be delivered"; the backend learns the outcome here: pending and
its attempts, delivered with the partner's acknowledgement, or dead with the last error (an
operator can retry it with ``brug outbox retry``).

A message is the business of the client that queued it: ``GET /v1/messages/{id}`` answers only
the client recorded as the outbox entry's ``origin`` and operators holding ``outbox:admin``.
Anyone else gets the same 404 as for an id that does not exist, so that message ids of other
backends cannot be confirmed by probing. Entries without an origin (queued before migration
0003) are visible to operators only.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from adapters.soap.acknowledgement import Acknowledgement
from gateway.auth import Principal
from gateway.delivery.entries import OutboxEntry
from gateway.errors import BrugValidationError
from gateway.models.common import Insz
from gateway.service.context import GatewayContext
from gateway.service.rest.errors import not_found
from gateway.service.rest.links import href
from gateway.service.rest.paging import Paging, links, paging
from gateway.service.rest.problems import InputValidationIssue, issues_of
from gateway.service.rest.resources import VovRegistration as RestVovRegistration
from gateway.service.rest.resources import rest_json
from gateway.service.rest.responses import problem_responses
from gateway.service.rest.schemas import (
    AcknowledgementOut,
    InboundRecordOut,
    InboundRecords,
    MessageStatus,
    RawAnswer,
    json_response,
)
from gateway.service.rest.security import ScopeGuards
from gateway.validation import parse_model
from gateway.wssecurity.envelope import soap_parts
from gateway.xml.safe_parser import parse_xml

#: Operators: may follow every message, whoever queued it (also legacy entries without origin).
ADMIN_SCOPE = "outbox:admin"


def visible_to(entry: OutboxEntry, principal: Principal) -> bool:
    """True when ``principal`` may see ``entry``: it queued it, or it is an operator."""
    if ADMIN_SCOPE in principal.scopes:
        return True
    return entry.origin is not None and entry.origin == principal.client_id


class _InszOnly(BaseModel):
    model_config = ConfigDict(extra="forbid")

    insz: Insz


def read_answer(entry: OutboxEntry) -> AcknowledgementOut | RawAnswer | None:
    """The partner's acknowledgement as JSON when it reads as one, else the bytes in base64."""
    body = entry.partner_answer
    if not body:
        return None
    try:
        payload = next(e for e in soap_parts(parse_xml(body)).body if isinstance(e.tag, str))
        ack = Acknowledgement.from_element(payload)
    except Exception:  # an answer that does not read as an acknowledgement is shown raw
        return RawAnswer(data=base64.b64encode(body).decode("ascii"))
    return AcknowledgementOut(
        message_id=str(ack.message_id),
        status=ack.status,
        received_at=ack.received_at,
        issues=[
            InputValidationIssue.model_validate(i) for i in issues_of(ack.violations, rename=False)
        ],
    )


def status_of(entry: OutboxEntry, link: str) -> MessageStatus:
    return MessageStatus.model_validate(
        {
            "message_id": entry.message_id,
            "partner": entry.partner,
            "operation": entry.operation,
            "status": entry.status.value,
            "attempts": entry.attempts,
            "last_error": entry.last_error,
            "created_at": entry.created_at,
            "next_attempt_at": entry.next_attempt_at if entry.status.value == "pending" else None,
            "delivered_at": entry.delivered_at,
            "correlation_id": entry.correlation_id,
            "answer": read_answer(entry),
            "self": link,
        }
    )


def messages_router(context: GatewayContext, guards: ScopeGuards) -> APIRouter:
    router = APIRouter(tags=["messages"])
    reader = Depends(guards.any_of("vov:read"))

    @router.get(
        "/messages/{messageId}",
        response_model=MessageStatus,
        operation_id="getMessage",
        summary="Follow a message to a partner",
        responses=problem_responses(
            404,
            descriptions={
                404: "Resource Not Found (urn:problem-type:belgif:resourceNotFound): no such "
                "message, or one this client did not queue (the same answer, so that other "
                "clients' message ids cannot be probed)"
            },
        ),
    )
    def get_message(
        *,
        principal: Principal = reader,
        request: Request,
        message_id: Annotated[
            str, Path(alias="messageId", max_length=255, description="from the 202 answer")
        ],
    ) -> JSONResponse:
        """Status (pending, in_flight, delivered, dead), attempts, last error, times and the
        partner's acknowledgement. Needs ``vov:read``.

        Only for the client that submitted the message; a client with ``outbox:admin``
        (operators) may follow any message. A message another client submitted answers 404,
        exactly like an unknown id."""
        visible = [e for e in context.outbox.find_message(message_id) if visible_to(e, principal)]
        if not visible:
            raise not_found("message", f"no message {message_id}")
        return json_response(status_of(visible[0], href(request, f"/v1/messages/{message_id}")))

    @router.get(
        "/inbound-records",
        response_model=InboundRecords,
        operation_id="listInboundRecords",
        summary="Records Brussels handed over for a worker (in VOV form)",
    )
    def inbound_records(
        request: Request,
        *,
        principal: Principal = reader,
        insz: Annotated[
            str,
            Query(
                alias="ssin",
                description="the worker's INSZ (Belgif Ssin, 11 digits)",
                examples=["85071412330"],
            ),
        ],
        paged: Annotated[Paging, Depends(paging)],
    ) -> JSONResponse:
        """BEV records Brussels sent for this worker, mapped to VOV registrations, newest
        first. Needs ``vov:read``."""
        try:
            checked = parse_model(_InszOnly, {"insz": insz}, context="query")
        except BrugValidationError as exc:
            raise BrugValidationError(
                [replace(v, path="query.ssin") for v in exc.violations], context="query"
            ) from None
        found = context.records.inbound_for(
            checked.insz, limit=paged.page_size, offset=paged.offset
        )
        total = context.records.inbound_total(checked.insz)
        body = InboundRecords.model_validate(
            {
                **links(request, paged, total),
                "items": [
                    InboundRecordOut(
                        partner=r.partner,
                        message_id=r.message_id,
                        kind=r.kind,
                        source_record_id=r.source_record_id,
                        record=RestVovRegistration.model_validate(r.record.model_dump()),
                        report=rest_json(r.report),
                        received_at=r.received_at,
                    )
                    for r in found
                ],
            }
        )
        return json_response(body)

    return router
