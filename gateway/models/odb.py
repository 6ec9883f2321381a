"""ODB course record: a course in the Flemish course database (opleidingsdatabank).

VOV, opleidingscheques and VOK all hinge on it; BEV needs its type and volume to pick a cap.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from gateway.models.common import RECORD_CONFIG, Kbo, Record, Region

#: ODB numbers look like "CE-123456" (opleidingsnummer); modules add "/M1" etc.
ODB_NUMBER_PATTERN = r"^[A-Z]{2,4}-\d{4,8}(/M\d{1,3})?$"


class VolumeUnit(StrEnum):
    HOURS = "hours"  # contact hours
    LESSON_PERIODS = "lesson-periods"  # lestijden (50 minutes)
    STUDY_POINTS = "study-points"


class Volume(Record):
    model_config = RECORD_CONFIG

    amount: Decimal = Field(gt=0, max_digits=7, decimal_places=2)
    unit: VolumeUnit


class CourseType(StrEnum):
    """Course kind as both regions need it (BEV caps depend on it)."""

    PROFESSIONAL = "professional"
    GENERAL = "general"
    UNION = "union"
    UNIVERSITY = "university"  # academic bachelor / master
    PROFESSIONAL_BACHELOR = "professional-bachelor"
    LANGUAGE = "language"
    BASIC_EDUCATION = "basic-education"
    SECONDARY_DIPLOMA = "secondary-diploma"


class CourseOutcome(StrEnum):
    """A course must lead to at least one of these to be in the ODB."""

    BASIC_COMPETENCES = "basic-competences"
    PROFESSION_SPECIFIC = "profession-specific-competences"
    GENERAL_LABOUR_MARKET = "general-labour-market-competences"
    DIPLOMA = "diploma"


class CourseStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"


class IncentiveFlags(Record):
    """Which Flemish incentives the course counts for."""

    model_config = RECORD_CONFIG

    vov: bool
    training_vouchers: bool  # opleidingscheques
    vok: bool


class Provider(Record):
    """Training provider; recognition differs per region (WSE quality registration vs BEE)."""

    model_config = RECORD_CONFIG

    kbo: Kbo
    name: str = Field(min_length=1, max_length=200)
    region: Region | None = Field(default=None, description="may be outside Flanders")
    wse_quality_registration: str | None = Field(
        default=None, max_length=40, description="WSE quality-registration reference"
    )


class CourseModule(Record):
    model_config = RECORD_CONFIG

    odb_number: str = Field(pattern=ODB_NUMBER_PATTERN)
    title: str = Field(min_length=1, max_length=300)
    volume: Volume


class OdbCourse(Record):
    model_config = RECORD_CONFIG

    odb_number: str = Field(pattern=ODB_NUMBER_PATTERN)
    title_nl: str = Field(min_length=1, max_length=300)
    provider: Provider
    course_type: CourseType
    volume: Volume
    modules: tuple[CourseModule, ...] = ()
    incentives: IncentiveFlags
    outcomes: tuple[CourseOutcome, ...] = Field(min_length=1)
    first_diploma_only: bool = False
    qualifying: bool = False
    bottleneck_occupation: bool = False
    entrepreneurship: bool = False
    status: CourseStatus = CourseStatus.ACTIVE
    valid_from: date
    valid_until: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> OdbCourse:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self
