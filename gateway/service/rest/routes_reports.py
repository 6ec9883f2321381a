"""``GET /v1/reports/evaluation``: the monitoring and evaluation figures of a school year.

For the people who set the policy (scope ``reports:read``), not for the backends: aggregates
only, small cells suppressed with the gateway's configured threshold (``[report]
suppression_threshold``, docs/evaluation.md), which a caller cannot lower. JSON by default;
``Accept: text/csv`` gives the long CSV and ``Accept: text/html`` the offline page with charts,
the same bytes ``brug report evaluation`` writes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from gateway.auth import Principal
from gateway.errors import BrugValidationError
from gateway.report.build import MEDIA_TYPES, Format, evaluation_report, render
from gateway.rules import schoolyear
from gateway.service.context import GatewayContext
from gateway.service.rest.errors import invalid
from gateway.service.rest.responses import problem_responses
from gateway.service.rest.security import ScopeGuards

SCOPE = "reports:read"
_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True)
Value = int | float | str | None


class ReportRow(BaseModel):
    model_config = _CONFIG

    label: str
    values: dict[str, Value] = Field(
        description='per column: a count, a measure, "<5" (below the threshold), "x" '
        "(hidden so a total cannot give a small cell back) or null"
    )


class ReportTable(BaseModel):
    model_config = _CONFIG

    key: str
    title: str
    section: str
    row_label: str
    columns: list[str]
    rows: list[ReportRow]
    total: ReportRow | None = None
    note: str | None = None


class Suppression(BaseModel):
    model_config = _CONFIG

    threshold: int
    below_threshold: str
    complementary: str
    rule: str


class EvaluationReport(BaseModel):
    """The JSON form of the report (``gateway.report.formats``)."""

    model_config = _CONFIG

    school_year: str
    generated_at: str
    suppression: Suppression
    notes: list[str]
    tables: list[ReportTable]


def _format(request: Request) -> Format:
    accept = request.headers.get("accept", "").lower()
    if "text/csv" in accept:
        return "csv"
    if "text/html" in accept and "application/json" not in accept:
        return "html"
    return "json"


def reports_router(context: GatewayContext, guards: ScopeGuards) -> APIRouter:
    router = APIRouter(tags=["reports"])
    reader = Depends(guards.any_of(SCOPE))
    json_schema: dict[str, Any] = {"$ref": "#/components/schemas/EvaluationReport"}

    @router.get(
        "/reports/evaluation",
        operation_id="getEvaluationReport",
        summary="Monitoring and evaluation figures of a school year (aggregates only)",
        response_model=EvaluationReport,
        responses={
            200: {
                "description": "The report: JSON (default), CSV (Accept: text/csv) or one "
                "offline HTML page with charts (Accept: text/html)",
                "content": {
                    "application/json": {"schema": json_schema},
                    "text/csv": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            **problem_responses(
                400,
                descriptions={
                    400: "Bad Request (urn:problem-type:belgif:badRequest): schoolYear is not "
                    "YYYY-YYYY (school-year.format)",
                },
            ),
        },
    )
    def evaluation(
        request: Request,
        *,
        principal: Principal = reader,
        school_year: Annotated[
            str,
            Query(
                alias="schoolYear",
                max_length=20,
                description="the school year, YYYY-YYYY (1 September to 31 August)",
                examples=["2025-2026"],
            ),
        ],
    ) -> Response:
        """Registrations by region and outcome, refusals by rule, BEV transfers and hours,
        movers, career breaks by code, training time credit beside VOK candidates, exchange
        health per partner. Counts below the configured threshold are "<5". Needs scope
        ``reports:read``."""
        try:
            schoolyear.check(school_year)
        except BrugValidationError as exc:
            raise invalid(
                "query.schoolYear",
                "school-year.format",
                exc.violations[0].message,
                school_year,
                context="query",
            ) from None
        fmt = _format(request)
        report = evaluation_report(
            context.store,
            school_year,
            codes=context.codes,
            threshold=context.settings.report.suppression_threshold,
        )
        return Response(render(report, fmt), media_type=MEDIA_TYPES[fmt])

    return router
