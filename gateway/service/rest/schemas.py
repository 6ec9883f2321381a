"""The JSON shapes of the REST API around the canonical records.

Records (``VovRegistration``, ``OdbCourse``, ``BevRecord``, ``CareerBreakRecord``,
``VokDecision``) are served in their REST form (:mod:`gateway.service.rest.resources`); these
models wrap them (what was accepted, how to follow it) and give the OpenAPI document named,
described schemas. Properties are lowerCamelCase (the alias of each Python name); a property
whose value is null is left out (:func:`dump`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gateway import models
from gateway.mapping.report import MappingReport
from gateway.models import EducationLevel, Region, VovRegistration
from gateway.models.odb import ODB_NUMBER_PATTERN
from gateway.models.parties import Sector
from gateway.models.vok import Reduction
from gateway.service.rest.paging import Page
from gateway.service.rest.problems import InputValidationIssue
from gateway.service.rest.resources import (
    OUT_CONFIG,
    REST_CONFIG,
    BevRecord,
    CareerBreakRecord,
    Employment,
    OdbCourse,
    Period,
    Ssin,
    VokDecision,
    canonical,
    rest_path,
)
from gateway.service.rest.resources import VovRegistration as RestVovRegistration


def dump(model: BaseModel) -> Any:
    """``model`` as the JSON body: REST names, nulls left out."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def json_response(model: BaseModel, status_code: int = 200, **headers: str) -> JSONResponse:
    return JSONResponse(dump(model), status_code=status_code, headers=headers or None)


SELF = Field(
    alias="self",
    description="the absolute URI of this resource (Belgif SelfLink)",
    examples=["https://brug.example/v1/messages/0f8fad5b-d9cb-469f-a165-70867728950e"],
)

# --------------------------------------------------------------------------- requests


class VovSubmission(RestVovRegistration):
    """A VOV registration, optionally with its ODB course (else taken from the catalogue)."""

    model_config = REST_CONFIG

    course: OdbCourse | None = Field(
        default=None,
        description="the ODB course; omit it to use the catalogue entry for odbNumber",
    )
    brussels_employment: Employment | None = Field(
        default=None,
        description="the Brussels reference fraction (September of the school year or the "
        "course's start month): the BEV cap is recomputed with it; without it the "
        "registration's Flemish fraction is used and flagged",
    )

    def registration(self) -> VovRegistration:
        """The canonical registration without the course (validated already: constructed,
        not re-run)."""
        values = {name: canonical(getattr(self, name)) for name in VovRegistration.model_fields}
        return VovRegistration.model_construct(**values)

    def canonical_course(self) -> models.OdbCourse | None:
        return None if self.course is None else canonical(self.course)

    def canonical_employment(self) -> models.Employment | None:
        return None if self.brussels_employment is None else canonical(self.brussels_employment)


class VokCheckRequest(BaseModel):
    """One worker, one course, one period: is the VOK premium due?"""

    model_config = REST_CONFIG

    insz: Ssin
    odb_number: str | None = Field(
        default=None, pattern=ODB_NUMBER_PATTERN, description="a course in the catalogue"
    )
    course: OdbCourse | None = Field(default=None, description="or the course itself")
    period: Period
    education_level: EducationLevel | None = None
    lives_alone: bool | None = None
    in_pop: bool = Field(default=False, description="course in a personal development plan")
    contract_months: int | None = Field(default=None, ge=0, le=600)
    sector: Sector | None = Field(
        default=None, description="the employer's sector; VOK is for the private sector only"
    )
    region: Region | None = Field(
        default=None, description="region of the establishment unit; VOK needs flanders"
    )
    applied_on: date | None = Field(
        default=None, description="application date: months over 6 months before are refused"
    )
    worked_before: Decimal | None = Field(
        default=None,
        ge=0,
        le=1,
        max_digits=5,
        decimal_places=4,
        description="work fraction in the year before the break: since 2021-09-01 it decides "
        "the amount (without it the reduction's amount is given and the decision is provisional)",
    )


class VovCheckRequest(BaseModel):
    """A VOV registration (with its course, or its ODB number in the catalogue) to decide, and
    the facts the registration does not hold."""

    model_config = REST_CONFIG

    registration: RestVovRegistration
    course: OdbCourse | None = Field(
        default=None, description="the ODB course; default: the registration's in the catalogue"
    )
    attended_hours: Decimal | None = Field(
        default=None, ge=0, max_digits=6, decimal_places=2, description="contact hours attended"
    )
    final_assessment: bool = Field(
        default=False, description="took part in the final assessment (enough for some courses)"
    )
    filed_on: date | None = Field(default=None, description="refund filing date")
    monthly_wage_eur: Decimal | None = Field(
        default=None, ge=0, max_digits=9, decimal_places=2, description="gross monthly wage"
    )


class ProactiveRequest(BaseModel):
    """Which course to check the candidates against (optional) and which period to look at."""

    model_config = REST_CONFIG

    odb_number: str | None = Field(default=None, pattern=ODB_NUMBER_PATTERN)
    course: OdbCourse | None = None
    period: Period | None = Field(
        default=None, description="only time credit overlapping this period"
    )


# --------------------------------------------------------------------------- answers


class FindingOut(BaseModel):
    model_config = OUT_CONFIG

    field: str = Field(description="the property concerned, a dotted path")
    kind: str
    message: str
    source_value: str | None = None
    target_value: str | None = None


class MappingReportOut(BaseModel):
    """What the VOV → BEV mapping did with each property (copied, recomputed, flagged...)."""

    model_config = OUT_CONFIG

    source: str
    target: str
    rule_data_version: str
    copied: list[str]
    findings: list[FindingOut]
    provisional: list[str] = Field(
        default_factory=list,
        description="why the result rests on rule data or crosswalk rows that are not "
        "confirmed (assumed, sample, unconfirmed, outside their validity); empty: all confirmed",
    )

    @classmethod
    def of(cls, report: MappingReport) -> MappingReportOut:
        return cls(
            source=report.source,
            target=report.target,
            rule_data_version=report.rule_data_version,
            provisional=list(report.provisional),
            copied=[rest_path(c) for c in report.copied],
            findings=[
                FindingOut(**{**f._asdict(), "field": rest_path(f.field)}) for f in report.findings
            ],
        )


class SubmissionAccepted(BaseModel):
    """202: the BEV message is stored durably and will be delivered to Brussels; follow it at
    ``self`` (also the ``Location`` header)."""

    model_config = OUT_CONFIG

    message_id: str
    status: Literal["accepted"] = "accepted"
    record: BevRecord
    report: MappingReportOut
    self_: str = SELF


class CourseStored(BaseModel):
    model_config = OUT_CONFIG

    created: bool = Field(description="true when the course was new, false when replaced")
    course: OdbCourse
    self_: str = SELF


class OdbCourseResource(OdbCourse):
    """A course of the catalogue, with its own URI."""

    self_: str = SELF


class AcknowledgementOut(BaseModel):
    model_config = OUT_CONFIG

    message_id: str
    status: str
    received_at: datetime
    issues: list[InputValidationIssue] = Field(
        default=[], description="what the partner found wrong, in the shape of a problem's issues"
    )


class RawAnswer(BaseModel):
    """A partner answer brug could not read as an acknowledgement, kept verbatim."""

    model_config = OUT_CONFIG

    format: Literal["base64"] = "base64"
    content_type: str | None = None
    data: str


class MessageStatus(BaseModel):
    """Where a message to a partner is: pending, in_flight, delivered or dead."""

    model_config = OUT_CONFIG

    message_id: str
    partner: str
    operation: str
    status: Literal["pending", "in_flight", "delivered", "dead"]
    attempts: int
    last_error: str | None = None
    created_at: datetime
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    correlation_id: str | None = None
    answer: AcknowledgementOut | RawAnswer | None = Field(
        default=None, description="the partner's answer once delivered"
    )
    self_: str = SELF


class InboundRecordOut(BaseModel):
    model_config = OUT_CONFIG

    partner: str
    message_id: str
    kind: str
    source_record_id: str
    record: RestVovRegistration
    report: dict[str, Any]
    received_at: datetime


class InboundRecords(Page[InboundRecordOut]):
    """A page of the records Brussels handed over for a worker, newest first."""


class CareerBreaks(Page[CareerBreakRecord]):
    """A page of a worker's career breaks over a period (MAGDA GeefLoopbaanonderbrekingen)."""

    insz: Ssin = Field(description="the worker asked about")
    period: Period = Field(description="the period asked about")


class Candidate(BaseModel):
    """A worker with RVA time credit for training, as the proactive VOK list reports them."""

    model_config = OUT_CONFIG

    insz: Ssin = Field(description="the worker (the backend needs it to contact them)")
    status: Literal["eligible", "provisional", "not-eligible", "to-contact"] = Field(
        description="to-contact: no course known to check against; provisional: eligible but "
        "some rules could not be evaluated or the decision rests on figures or codes that are "
        "not confirmed (see decision.provisionalReasons)"
    )
    attest_numbers: list[str]
    dossier_number: str | None = None
    period: Period
    reduction: Reduction | None = None
    decision: VokDecision | None = None
    note: str | None = None


class ProactiveList(Page[Candidate]):
    """A page of the proactive VOK list, ordered by INSZ."""

    mutations_read: int = Field(description="federal mutations the list was built from")
    code_table: str = Field(description="version of the federal code table used")


class BulkLineResult(BaseModel):
    """One line of the bulk answer (NDJSON)."""

    model_config = OUT_CONFIG

    line: int
    registration_id: str | None = None
    status: Literal["accepted", "rejected", "not-for-brussels"]
    message_id: str | None = None
    replayed: bool | None = Field(
        default=None, description="true when the line was accepted by an earlier request"
    )
    issues: list[InputValidationIssue] | None = Field(
        default=None, description="why the line was refused, as the issues of a 400 problem"
    )


class BulkStop(BaseModel):
    """Why processing stopped before the end of the file (the request's budget)."""

    model_config = OUT_CONFIG

    rule: str = Field(description="bulk.max-lines, bulk.max-rejected or bulk.max-seconds")
    detail: str
    after_line: int = Field(description="the last line processed; resend the rest")


class BulkSummary(BaseModel):
    model_config = OUT_CONFIG

    lines: int
    accepted: int
    rejected: int
    not_for_brussels: int
    replayed: int
    stopped: BulkStop | None = Field(
        default=None, description="present when the request's budget stopped processing"
    )


class BulkSummaryLine(BaseModel):
    """The last line of the bulk answer."""

    model_config = OUT_CONFIG

    summary: BulkSummary


__all__ = [
    "BulkLineResult",
    "BulkStop",
    "BulkSummary",
    "BulkSummaryLine",
    "Candidate",
    "CareerBreaks",
    "CourseStored",
    "InboundRecordOut",
    "InboundRecords",
    "MappingReportOut",
    "MessageStatus",
    "OdbCourseResource",
    "ProactiveList",
    "ProactiveRequest",
    "SubmissionAccepted",
    "VokCheckRequest",
    "VovSubmission",
    "dump",
    "json_response",
]
