"""The JSON shapes of the REST API that are not canonical records.

Canonical records (``VovRegistration``, ``OdbCourse``, ``BevRecord``, ``CareerBreakResponse``,
``VokDecision``) are served as they are; these models wrap them (what was accepted, how to
follow it, why a request failed) and give the OpenAPI document named, described schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.mapping.report import MappingReport
from gateway.models import (
    BevRecord,
    EducationLevel,
    OdbCourse,
    Period,
    VokDecision,
    VovRegistration,
)
from gateway.models.common import RECORD_CONFIG, Insz
from gateway.models.odb import ODB_NUMBER_PATTERN
from gateway.models.vok import Reduction
from gateway.service.rest.problems import InputValidationIssue

_OPEN = ConfigDict(frozen=True)


# --------------------------------------------------------------------------- requests


class VovSubmission(VovRegistration):
    """A VOV registration, optionally with its ODB course (else taken from the catalogue)."""

    model_config = RECORD_CONFIG

    course: OdbCourse | None = Field(
        default=None,
        description="the ODB course; omit it to use the catalogue entry for odb_number",
    )

    def registration(self) -> VovRegistration:
        """The registration without the course (validated already: constructed, not re-run)."""
        values = {name: getattr(self, name) for name in VovRegistration.model_fields}
        return VovRegistration.model_construct(**values)


class VokCheckRequest(BaseModel):
    """One worker, one course, one period: is the VOK premium due?"""

    model_config = RECORD_CONFIG

    insz: Insz
    odb_number: str | None = Field(
        default=None, pattern=ODB_NUMBER_PATTERN, description="a course in the catalogue"
    )
    course: OdbCourse | None = Field(default=None, description="or the course itself")
    period: Period
    education_level: EducationLevel | None = None
    lives_alone: bool | None = None
    in_pop: bool = Field(default=False, description="course in a personal development plan")
    contract_months: int | None = Field(default=None, ge=0, le=600)


class ProactiveRequest(BaseModel):
    """Which course to check the candidates against (optional) and which period to look at."""

    model_config = RECORD_CONFIG

    odb_number: str | None = Field(default=None, pattern=ODB_NUMBER_PATTERN)
    course: OdbCourse | None = None
    period: Period | None = Field(
        default=None, description="only time credit overlapping this period"
    )


# --------------------------------------------------------------------------- answers


class FindingOut(BaseModel):
    model_config = _OPEN

    field: str
    kind: str
    message: str
    source_value: str | None = None
    target_value: str | None = None


class MappingReportOut(BaseModel):
    """What the VOV → BEV mapping did with each field (copied, recomputed, flagged...)."""

    model_config = _OPEN

    source: str
    target: str
    rule_data_version: str
    copied: list[str]
    findings: list[FindingOut]

    @classmethod
    def of(cls, report: MappingReport) -> MappingReportOut:
        return cls(
            source=report.source,
            target=report.target,
            rule_data_version=report.rule_data_version,
            copied=list(report.copied),
            findings=[FindingOut(**f._asdict()) for f in report.findings],
        )


class Links(BaseModel):
    model_config = _OPEN

    self_: str = Field(alias="self", serialization_alias="self")


class SubmissionAccepted(BaseModel):
    """202: the BEV message is stored durably and will be delivered to Brussels."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    message_id: str
    status: Literal["accepted"] = "accepted"
    record: BevRecord
    report: MappingReportOut
    links: Links


class CourseStored(BaseModel):
    model_config = _OPEN

    created: bool = Field(description="true when the course was new, false when replaced")
    course: OdbCourse


class AcknowledgementOut(BaseModel):
    model_config = _OPEN

    message_id: str
    status: str
    received_at: datetime
    issues: list[InputValidationIssue] = Field(
        default=[], description="what the partner found wrong, in the shape of a problem's issues"
    )


class RawAnswer(BaseModel):
    """A partner answer brug could not read as an acknowledgement, kept verbatim."""

    model_config = _OPEN

    format: Literal["base64"] = "base64"
    content_type: str | None = None
    data: str


class MessageStatus(BaseModel):
    """Where a message to a partner is: pending, in_flight, delivered or dead."""

    model_config = _OPEN

    message_id: str
    partner: str
    operation: str
    status: Literal["pending", "in_flight", "delivered", "dead"]
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    correlation_id: str | None
    answer: AcknowledgementOut | RawAnswer | None = Field(
        default=None, description="the partner's answer once delivered"
    )


class InboundRecordOut(BaseModel):
    model_config = _OPEN

    partner: str
    message_id: str
    kind: str
    source_record_id: str
    record: VovRegistration
    report: dict[str, Any]
    received_at: datetime


class InboundRecords(BaseModel):
    model_config = _OPEN

    records: list[InboundRecordOut]
    count: int


class Candidate(BaseModel):
    """A worker with RVA time credit for training, as the proactive VOK list reports them."""

    model_config = _OPEN

    insz: str = Field(description="the worker (the backend needs it to contact them)")
    status: Literal["eligible", "provisional", "not-eligible", "to-contact"] = Field(
        description="to-contact: no course known to check against; provisional: eligible but "
        "some rules could not be evaluated"
    )
    attest_numbers: list[str]
    dossier_number: str | None
    period: Period
    reduction: Reduction | None
    decision: VokDecision | None = None
    note: str | None = None


class ProactiveList(BaseModel):
    model_config = _OPEN

    candidates: list[Candidate]
    count: int
    mutations_read: int
    code_table: str


class BulkLineResult(BaseModel):
    """One line of the bulk answer (NDJSON)."""

    model_config = _OPEN

    line: int
    registration_id: str | None
    status: Literal["accepted", "rejected", "not-for-brussels"]
    message_id: str | None = None
    issues: list[InputValidationIssue] | None = Field(
        default=None, description="why the line was refused, as the issues of a 400 problem"
    )


class BulkSummary(BaseModel):
    model_config = _OPEN

    lines: int
    accepted: int
    rejected: int
    not_for_brussels: int
    replayed: int


class BulkSummaryLine(BaseModel):
    """The last line of the bulk answer."""

    model_config = _OPEN

    summary: BulkSummary


__all__ = [
    "BulkLineResult",
    "BulkSummary",
    "BulkSummaryLine",
    "Candidate",
    "CourseStored",
    "InboundRecordOut",
    "InboundRecords",
    "MappingReportOut",
    "MessageStatus",
    "ProactiveList",
    "ProactiveRequest",
    "SubmissionAccepted",
    "VokCheckRequest",
    "VovSubmission",
]
