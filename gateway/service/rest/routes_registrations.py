"""``POST /v1/vov-registrations``: one Flemish registration for a Brussels unit → a BEV message.

202 means "stored durably, will be delivered": the BEV message is in the outbox and the
delivery worker takes it from there (follow it at ``self``, also the ``Location`` header). A
registration for a Flemish establishment unit is refused with ``route.not-brussels``: it stays
in the Flemish VOV scheme, there is nothing to exchange.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from gateway.auth import Principal
from gateway.errors import BrugValidationError
from gateway.observability.correlation import (
    CORRELATION_HEADER,
    accept_correlation_id,
    current_correlation_id,
)
from gateway.observability.metrics import Outcome
from gateway.service.context import GatewayContext
from gateway.service.rest import idempotency
from gateway.service.rest.links import href
from gateway.service.rest.openapi_examples import registration_examples
from gateway.service.rest.responses import problem_responses
from gateway.service.rest.schemas import (
    MappingReportOut,
    SubmissionAccepted,
    VovSubmission,
)
from gateway.service.rest.security import ScopeGuards
from gateway.service.rest.submission import Prepared, Submissions

SUBMIT_OPERATION = "SubmitVovRegistration"


def accepted_body(prepared: Prepared, base: str) -> bytes:
    """The 202 body; ``base`` is the API's absolute URI (``https://host``) for ``self``."""
    accepted = SubmissionAccepted.model_validate(
        {
            "message_id": prepared.message_id,
            "record": prepared.record.model_dump(),
            "report": MappingReportOut.of(prepared.report),
            "self": f"{base}/v1/messages/{prepared.message_id}",
        }
    )
    return accepted.model_dump_json(by_alias=True, exclude_none=True).encode()


def in_body(error: BrugValidationError) -> BrugValidationError:
    """The mapping names the registration ``registration.``; here it is the body itself."""
    return BrugValidationError(
        [replace(v, path=v.path.removeprefix("registration.")) for v in error.violations],
        context=error.context,
    )


def request_correlation_id(request: Request) -> str:
    """The middleware's id when it runs, else the caller's header (checked), else a new one."""
    return current_correlation_id() or accept_correlation_id(
        request.headers.get(CORRELATION_HEADER)
    )


def registrations_router(
    context: GatewayContext, guards: ScopeGuards, submissions: Submissions
) -> APIRouter:
    router = APIRouter(tags=["vov-registrations"])
    writer = Depends(guards.any_of("vov:write"))

    def submit(
        principal: Principal,
        key: str,
        digest: str,
        submission: VovSubmission,
        correlation_id: str,
        base: str,
    ) -> Response:
        partner = idempotency.client_partner(principal.client_id)
        first = idempotency.check_seen(
            idempotency.lookup(context.store, partner, [key]).get(key), key, digest
        )
        if first is not None:
            return idempotency.replay(first)
        registration = submission.registration()
        try:
            course = submissions.course_for(registration, submission.canonical_course())
            prepared = submissions.prepare(
                registration,
                course,
                correlation_id,
                employment=submission.canonical_employment(),
            )
        except BrugValidationError as exc:
            context.metrics.count_message(principal.client_id, SUBMIT_OPERATION, Outcome.REJECTED)
            submissions.record_refusal(registration, exc)
            raise in_body(exc) from None
        except Exception:
            context.metrics.count_message(principal.client_id, SUBMIT_OPERATION, Outcome.REJECTED)
            raise
        body = accepted_body(prepared, base)
        with context.store.transaction() as tx:
            earlier = submissions.commit(
                tx,
                prepared,
                inbox_partner=partner,
                inbox_key=key,
                request_digest=digest,
                answer=idempotency.encode_answer(202, body),
                origin=principal.client_id,
            )
        if earlier is not None:
            return idempotency.replay(earlier)
        context.metrics.count_message(principal.client_id, SUBMIT_OPERATION, Outcome.ACCEPTED)
        location = f"{base}/v1/messages/{prepared.message_id}"
        return Response(
            body, status_code=202, media_type="application/json", headers={"Location": location}
        )

    @router.post(
        "/vov-registrations",
        status_code=202,
        response_model=SubmissionAccepted,
        operation_id="submitVovRegistration",
        summary="Submit one VOV registration for a Brussels establishment unit",
        responses={
            202: {
                "description": "Accepted: stored durably, will be delivered to Brussels",
                "headers": {
                    "Location": {
                        "description": "the message to follow (the body's self)",
                        "schema": {"type": "string", "format": "uri"},
                    }
                },
            },
            **problem_responses(
                400,
                409,
                413,
                422,
                descriptions={
                    400: "Bad Request (urn:problem-type:belgif:badRequest): invalid input "
                    "(insz.checksum...), an unknown course (course.unknown), a Flemish unit "
                    "(route.not-brussels: the record stays in VOV), a missing Idempotency-Key",
                },
            ),
        },
        openapi_extra={"parameters": [idempotency.PARAMETER]},
    )
    async def submit_registration(
        request: Request,
        *,
        principal: Principal = writer,
        key: Annotated[str, Depends(idempotency.idempotency_key)],
        submission: Annotated[VovSubmission, Body(openapi_examples=registration_examples())],
    ) -> Response:
        """Validate, route and map to a BEV record, sign it and queue it for Brussels.

        The answer carries the BEV record, the mapping report (what was recomputed, carried or
        flagged) and the message to follow (``self`` and ``Location``). Needs scope
        ``vov:write``.
        """
        digest = idempotency.body_digest(await request.body())
        correlation_id = request_correlation_id(request)
        base = href(request, "")
        return await run_in_threadpool(
            submit, principal, key, digest, submission, correlation_id, base
        )

    return router
