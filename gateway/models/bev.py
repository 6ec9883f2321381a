"""BEV record: a Brussels paid-educational-leave (congé-éducation payé) entitlement.

Produced from a VOV registration when the worker's establishment unit is in Brussels, or received
from Brussels for a worker who moves to Flanders. Every figure the Flemish side cannot simply copy
(fraction, cap, rate, deadline) is recomputed from Brussels rule data and carried here, with the
source identifiers kept so that nothing is dropped silently.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from gateway.models.common import RECORD_CONFIG, Kbo, Record, Region, SchoolYear
from gateway.models.odb import ODB_NUMBER_PATTERN
from gateway.models.parties import Employer, Employment, EstablishmentUnit, Worker


class BevCourseType(StrEnum):
    """Brussels course categories; each has its own cap."""

    PROFESSIONAL = "professional"
    GENERAL_UNION = "general-union"
    UNIVERSITY = "university"  # academic bachelor / master
    PROFESSIONAL_BACHELOR = "professional-bachelor"
    LANGUAGE = "language"


class RaisedCapReason(StrEnum):
    """Why a raised Brussels cap applies (none: the base cap)."""

    BOTTLENECK_OCCUPATION = "bottleneck-occupation"
    BASIC_EDUCATION = "basic-education"
    FIRST_SECONDARY_DIPLOMA = "first-secondary-diploma"
    LOW_EDUCATION = "low-education"  # at most a secondary certificate: 130 h
    NATIONAL_LANGUAGE = "national-language"
    SIGN_LANGUAGE = "sign-language"
    JOB_RELATED_LANGUAGE = "job-related-language"


class RecognitionStatus(StrEnum):
    """Provider recognition across regions is not equivalent: brug flags, never assumes."""

    RECOGNISED = "recognised"  # BEE / Community approval known
    TO_CONFIRM = "to-confirm"  # only a WSE quality registration is known


class BevRecord(Record):
    model_config = RECORD_CONFIG

    record_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    school_year: SchoolYear
    worker: Worker
    employer: Employer
    establishment_unit: EstablishmentUnit
    employment: Employment
    recognition_reference: str = Field(
        pattern=r"^BEE-\d{4}-\d{4,6}$", description="BEE course recognition reference"
    )
    odb_number: str | None = Field(
        default=None, pattern=ODB_NUMBER_PATTERN, description="source course, for traceability"
    )
    course_title: str = Field(min_length=1, max_length=300)
    course_title_language: str = Field(default="nl", pattern=r"^(nl|fr|de|en)$")
    course_type: BevCourseType
    raised_cap_reason: RaisedCapReason | None = None
    provider_kbo: Kbo
    provider_recognition: RecognitionStatus
    contact_hours: Decimal = Field(ge=0, max_digits=6, decimal_places=2)
    start_date: date
    end_date: date
    exam_dates: tuple[date, ...] = ()
    hours_cap: Decimal = Field(ge=0, max_digits=6, decimal_places=2)
    hours_already_used: Decimal = Field(default=Decimal(0), ge=0, max_digits=6, decimal_places=2)
    hours_claimable: Decimal = Field(ge=0, max_digits=6, decimal_places=2)
    flat_rate_eur: Decimal = Field(ge=0, max_digits=6, decimal_places=2)
    refund_window_start: date
    refund_window_end: date
    source_region: Region | None = Field(default=None, description="scheme the record came from")
    source_registration_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _consistent(self) -> BevRecord:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if self.refund_window_end < self.refund_window_start:
            raise ValueError("refund_window_end is before refund_window_start")
        if self.hours_claimable > self.hours_cap:
            raise ValueError("hours_claimable exceeds hours_cap")
        return self
