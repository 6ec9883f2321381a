"""VOV registration: the enrolment attest + employer data behind a Flemish training-leave claim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, model_validator

from gateway.models.common import RECORD_CONFIG, Kbo, Record, Region
from gateway.models.odb import ODB_NUMBER_PATTERN
from gateway.models.parties import Employer, Employment, EstablishmentUnit, Worker


class PriorUse(Record):
    """Hours already granted this school year, possibly under another region's scheme.

    A worker who moves mid-year carries these: the new region's cap is reduced by them.
    """

    model_config = RECORD_CONFIG

    region: Region
    hours: Decimal = Field(ge=0, max_digits=6, decimal_places=2)


class VovRegistration(Record):
    model_config = RECORD_CONFIG

    registration_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    worker: Worker
    employer: Employer
    establishment_unit: EstablishmentUnit
    employment: Employment
    odb_number: str = Field(pattern=ODB_NUMBER_PATTERN)
    provider_kbo: Kbo = Field(description="provider on the enrolment attest (KBO)")
    contact_hours: Decimal = Field(ge=0, max_digits=6, decimal_places=2)
    study_points: Decimal | None = Field(default=None, ge=0, max_digits=5, decimal_places=1)
    start_date: date
    end_date: date
    exam_dates: tuple[date, ...] = ()
    joint_initiative: bool = Field(
        default=False, description="gemeenschappelijk initiatiefrecht: +125 h, employer's choice"
    )
    prior_use: tuple[PriorUse, ...] = ()
    attest_date: date | None = Field(default=None, description="date the attest was issued")

    @model_validator(mode="after")
    def _dates_in_order(self) -> VovRegistration:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self
