"""``POST /v1/vov/check``: the Flemish decision on a VOV registration (issue 14).

A backend sends a registration (and its course, or lets brug take the course from the
catalogue) with the facts the registration does not hold; brug answers with every VOV rule,
its result and its source, the cap, the claimable hours, the refund and its window. Nothing is
stored or sent: it is a decision, read-only, so it needs ``vov:read`` and no Idempotency-Key.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from gateway.auth import Principal
from gateway.errors import BrugValidationError
from gateway.models import OdbCourse
from gateway.rules.vov_decision import VovFacts, decide_vov
from gateway.service.context import GatewayContext
from gateway.service.rest.errors import invalid
from gateway.service.rest.resources import VovDecision as RestVovDecision
from gateway.service.rest.resources import canonical, record_json
from gateway.service.rest.responses import problem_responses
from gateway.service.rest.schemas import VovCheckRequest
from gateway.service.rest.security import ScopeGuards


def _example() -> dict[str, object]:
    return {
        "flemish-registration": {
            "summary": "A Flemish registration, its course from the catalogue",
            "value": {
                "registration": {
                    "registrationId": "VOV-2025-000103",
                    "worker": {"ssin": "01030923452", "educationLevel": "medium"},
                    "employer": {"enterpriseNumber": "0456789133", "name": "Scheldelas BV"},
                    "establishmentUnit": {
                        "establishmentUnitNumber": "2234567818",
                        "region": "flanders",
                    },
                    "employment": {"fraction": "0.5000", "referenceMonth": "2025-03"},
                    "odbNumber": "CE-100234",
                    "providerEnterpriseNumber": "0812345603",
                    "contactHours": "120.00",
                    "startDate": "2025-09-15",
                    "endDate": "2026-06-20",
                },
                "attendedHours": "80.00",
                "filedOn": "2025-10-01",
            },
        }
    }


def vov_check_router(context: GatewayContext, guards: ScopeGuards) -> APIRouter:
    router = APIRouter(tags=["vov-registrations"])
    reader = Depends(guards.any_of("vov:read"))

    @router.post(
        "/vov/check",
        response_model=RestVovDecision,
        operation_id="checkVovRegistration",
        summary="Decide a Flemish VOV registration, rule by rule with sources",
        responses=problem_responses(413),
    )
    def vov_check(
        *,
        principal: Principal = reader,
        request: Annotated[VovCheckRequest, Body(openapi_examples=_example())],
    ) -> JSONResponse:
        """Region, sector, fraction, course minimum, attendance, cap, flat rate, wage cap and
        refund window; facts not given are "not evaluated" and make the decision provisional,
        as do figures that are not confirmed (``provisionalReasons``)."""
        registration = canonical(request.registration)
        course: OdbCourse
        if request.course is not None:
            course = canonical(request.course)
        else:
            found = context.records.get_course(registration.odb_number)
            if found is None:
                raise invalid(
                    "registration.odb_number",
                    "course.unknown",
                    "the course is not in the catalogue: send it as course",
                    registration.odb_number,
                    context="request",
                )
            course = found
        facts = VovFacts(
            attended_hours=request.attended_hours,
            final_assessment=request.final_assessment,
            filed_on=request.filed_on,
            monthly_wage_eur=request.monthly_wage_eur,
        )
        try:
            decision = decide_vov(registration, course, context.rules, facts)
        except BrugValidationError as exc:
            raise BrugValidationError(
                [
                    replace(v, path=v.path if "." in v.path else f"registration.{v.path}")
                    for v in exc.violations
                ],
                context=exc.context,
            ) from None
        return JSONResponse(record_json(decision))

    return router
