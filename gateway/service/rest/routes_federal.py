"""Career breaks and VOK: synchronous look-ups at the federal side, and the proactive list.

A look-up is not a message to deliver later: the backend waits for the answer, so brug calls
the federal service (signed, ``ksz`` profile) during the request. When the federal side cannot
be reached or answers unusably the answer is 503 with ``Retry-After``: the data exists, the
backend should ask again, never conclude "no career break".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from adapters.brussels.client import GATEWAY_PARTY
from adapters.federal.vok import check_vok
from adapters.soap.errors import PartnerError
from gateway.auth import Principal
from gateway.errors import BrugValidationError
from gateway.models import (
    CareerBreakQuery,
    CareerBreakResponse,
    MessageHeader,
    OdbCourse,
    Party,
    Worker,
)
from gateway.observability.correlation import current_correlation_id
from gateway.service.context import FEDERAL, GatewayContext
from gateway.service.rest import problems
from gateway.service.rest.errors import ApiError, invalid, partner_unavailable
from gateway.service.rest.openapi_examples import proactive_examples, vok_check_examples
from gateway.service.rest.paging import Paging, links, paging
from gateway.service.rest.proactive import candidates
from gateway.service.rest.resources import VokDecision as RestVokDecision
from gateway.service.rest.resources import canonical, record_json, rest_json
from gateway.service.rest.responses import problem_example, problem_responses
from gateway.service.rest.schemas import (
    CareerBreaks,
    ProactiveList,
    ProactiveRequest,
    VokCheckRequest,
    json_response,
)
from gateway.service.rest.security import ScopeGuards
from gateway.validation import parse_model

FEDERAL_PARTY = Party(code="federal-rva", kbo="0206581096")
PURPOSE = "VOK-TIME-CREDIT"

_UNAVAILABLE = problem_responses(
    503,
    descriptions={
        503: "Service Unavailable (urn:problem-type:belgif:serviceUnavailable): the federal "
        "service is unreachable or answered unusably, or the store is down: retry after "
        "`Retry-After` seconds",
    },
    examples={
        503: {
            "partner": problem_example(
                problems.SERVICE_UNAVAILABLE,
                "the federal service cannot be reached or did not answer usably; try again later",
                partner="federal",
                retryAfterSec=30,
                reason="connection refused",
            )
        }
    },
)


def _course(
    context: GatewayContext, number: str | None, given: OdbCourse | None, *, required: bool
) -> OdbCourse | None:
    if given is not None:
        if number is not None and number != given.odb_number:
            raise invalid(
                "odb_number",
                "course.mismatch",
                "odbNumber and course.odbNumber differ",
                number,
                context="request",
            )
        return given
    if number is None:
        if required:
            raise invalid(
                "odb_number", "course.required", "give odbNumber or course", context="request"
            )
        return None
    found = context.records.get_course(number)
    if found is None:
        raise invalid(
            "odb_number",
            "course.unknown",
            "the course is not in the catalogue",
            number,
            context="request",
        )
    return found


def parse_query(insz: str, begin: date, end: date) -> CareerBreakQuery:
    """The query parameters as a :class:`CareerBreakQuery`; 400 naming each bad parameter."""
    try:
        return parse_model(CareerBreakQuery, {"insz": insz, "period": {"begin": begin, "end": end}})
    except BrugValidationError as exc:
        names = {"insz": "ssin", "period.begin": "startDate", "period.end": "endDate"}
        raise BrugValidationError(
            [replace(v, path=f"query.{names.get(v.path, 'startDate')}") for v in exc.violations],
            context="query",
        ) from None


def federal_router(context: GatewayContext, guards: ScopeGuards) -> APIRouter:
    router = APIRouter(tags=["career-breaks-vok"])
    reader = Depends(guards.any_of("vok:read"))

    def ask(query: CareerBreakQuery) -> CareerBreakResponse:
        client = context.federal
        if client is None:
            raise ApiError(
                503,
                "partner_not_configured",
                "no federal partner is configured",
                headers={"Retry-After": "3600"},
                partner=FEDERAL,
            )
        header = MessageHeader(
            message_id=uuid4(),
            timestamp=context.store.clock(),
            sender=GATEWAY_PARTY,
            recipient=FEDERAL_PARTY,
            purpose=PURPOSE,
            correlation_id=current_correlation_id(),
        )
        try:
            with context.metrics.time_partner_call(FEDERAL, "GetCareerBreaks"):
                return client.get_career_breaks(query, header)
        except PartnerError as exc:
            raise partner_unavailable(FEDERAL, exc.reason) from None

    @router.get(
        "/career-breaks",
        response_model=CareerBreaks,
        operation_id="getCareerBreaks",
        summary="A worker's career breaks (time credit) over a period",
        responses=_UNAVAILABLE,
    )
    def career_breaks(
        request: Request,
        *,
        principal: Principal = reader,
        insz: Annotated[
            str,
            Query(
                alias="ssin",
                description="the worker's INSZ / NISS or BIS number (Belgif Ssin, 11 digits)",
                examples=["85071412330"],
            ),
        ],
        begin: Annotated[date, Query(alias="startDate", description="first day, YYYY-MM-DD")],
        end: Annotated[date, Query(alias="endDate", description="last day, YYYY-MM-DD")],
        paged: Annotated[Paging, Depends(paging)],
    ) -> JSONResponse:
        """Ask the federal service (MAGDA GeefLoopbaanonderbrekingen) now. Needs ``vok:read``.

        The INSZ is checked first (400 ``insz.checksum``); it is sent to the federal service
        and returned, never logged.
        """
        query = parse_query(insz, begin, end)
        answer = ask(query)
        body = {
            **rest_json(links(request, paged, len(answer.records))),
            "items": [record_json(r) for r in paged.of(answer.records)],
            "ssin": answer.insz,
            "period": record_json(answer.period),
        }
        return JSONResponse(body)

    @router.post(
        "/vok/check",
        response_model=RestVokDecision,
        operation_id="checkVokEntitlement",
        summary="Is a worker entitled to the VOK premium for a course?",
        responses={**_UNAVAILABLE, **problem_responses(413)},
    )
    def vok_check(
        *,
        principal: Principal = reader,
        request: Annotated[VokCheckRequest, Body(openapi_examples=vok_check_examples())],
    ) -> JSONResponse:
        """Fetch the worker's career breaks for the period and check every VOK rule.

        Each rule is listed with passed/evaluated and why, and every calendar month of the
        period is decided (``months``: eligible, amount, or the rules that refuse it). Facts
        not given (contract length, sector, region, education level, application date) are
        marked not evaluated; they, and figures or codes that are not confirmed, make the
        decision ``provisional`` with its ``provisionalReasons``.
        """
        given = None if request.course is None else canonical(request.course)
        course = _course(context, request.odb_number, given, required=True)
        assert course is not None
        worker = Worker(
            insz=request.insz,
            education_level=request.education_level,
            lives_alone=request.lives_alone,
        )
        period = canonical(request.period)
        response = ask(CareerBreakQuery(insz=request.insz, period=period))
        decision = check_vok(
            response.records,
            course,
            worker,
            period,
            context.rules,
            context.codes,
            contract_months=request.contract_months,
            in_pop=request.in_pop,
            sector=request.sector,
            region=request.region,
            applied_on=request.applied_on,
            worked_before=request.worked_before,
        )
        return JSONResponse(record_json(decision))

    @router.post(
        "/vok/proactive",
        response_model=ProactiveList,
        operation_id="listProactiveVokCandidates",
        summary="Workers with training time credit who may be entitled to VOK",
        responses=problem_responses(413),
    )
    def vok_proactive(
        http: Request,
        *,
        principal: Principal = reader,
        request: Annotated[ProactiveRequest, Body(openapi_examples=proactive_examples())],
        paged: Annotated[Paging, Depends(paging)],
    ) -> JSONResponse:
        """From the stored federal mutation feed: live RVA time credit with a training motive.

        With ``odbNumber`` (or ``course``) each worker is checked against that course;
        without, each is listed as ``to-contact``. The list holds INSZ numbers (the backend
        needs them to contact the workers); brug does not log them. The list is paged with
        ``page`` and ``pageSize`` in the query; the page links name the same operation (send
        the same body again).
        """
        given = None if request.course is None else canonical(request.course)
        course = _course(context, request.odb_number, given, required=False)
        period = None if request.period is None else canonical(request.period)
        feed = context.records.mutations()
        found = candidates(feed, context.codes, context.rules, course, period)
        body = ProactiveList.model_validate(
            {
                **links(http, paged, len(found)),
                "items": paged.of(found),
                "mutations_read": len(feed),
                "code_table": context.codes.version,
            }
        )
        return json_response(body)

    return router
