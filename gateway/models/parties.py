"""Worker, employer and establishment unit: who trains, who pays, and where the job is."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from gateway.models.common import RECORD_CONFIG, EstablishmentUnitNumber, Insz, Kbo, Record, Region


class EducationLevel(StrEnum):
    """Highest diploma; BEV raises caps for low levels, VOK requires low/medium unless POP."""

    LOW = "low"  # at most lower secondary
    MEDIUM = "medium"  # upper secondary certificate
    HIGH = "high"  # higher education


class Sector(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


class Worker(Record):
    """The employee. Only what the schemes need: the INSZ and the facts rules depend on."""

    model_config = RECORD_CONFIG

    insz: Insz
    education_level: EducationLevel | None = None
    lives_alone: bool | None = Field(
        default=None, description="single-person household: VOK adds a supplement"
    )


class Employer(Record):
    model_config = RECORD_CONFIG

    kbo: Kbo
    name: str = Field(min_length=1, max_length=200)
    sector: Sector = Sector.PRIVATE


class EstablishmentUnit(Record):
    """The unit declared in the DmfA; its region decides the scheme (not the head office)."""

    model_config = RECORD_CONFIG

    number: EstablishmentUnitNumber
    region: Region
    postcode: str | None = Field(default=None, pattern=r"^\d{4}$")


class Employment(Record):
    """Employment fraction at the reference month the region's rules name."""

    model_config = RECORD_CONFIG

    fraction: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)
    reference_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
