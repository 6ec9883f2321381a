"""Career-break (time-credit) records as MAGDA's GeefLoopbaanonderbrekingen 02.00 exposes them.

Field meanings follow the MAGDA service (Bron, Dossiernummer, INSZ, Periode, Categorie, Regime,
Vermindering, Reden, Contract, BedragMaandelijkseUitkering, GemiddeldAantalUrenPerWeek); names
are English here, the federal adapter maps the Dutch wire names. Codes stay codes: which
``reason`` means "training" is not public, so the code table lives in configurable data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from gateway.models.common import RECORD_CONFIG, Insz, Record


class CareerBreakSource(StrEnum):
    """MAGDA ``Bron``: who holds the authentic record."""

    RVA = "RVA"
    VLAANDEREN = "Vlaanderen"
    WALLONIE = "Wallonie"
    BRUSSEL = "Brussel"


class CodeValue(Record):
    """A code with its optional description (MAGDA's ``Code`` + ``Omschrijving``)."""

    model_config = RECORD_CONFIG

    code: str = Field(pattern=r"^\d{1,2}$")
    description: str | None = Field(default=None, max_length=200)


class Period(Record):
    model_config = RECORD_CONFIG

    begin: date
    end: date | None = None  # open-ended

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end < self.begin:
            raise ValueError("period end is before its begin")
        return self

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day (open ends run forever)."""
        self_end = self.end or date.max
        other_end = other.end or date.max
        return self.begin <= other_end and other.begin <= self_end

    def covers(self, other: Period) -> bool:
        """True when ``other`` lies entirely inside this period."""
        self_end = self.end or date.max
        other_end = other.end or date.max
        return self.begin <= other.begin and other_end <= self_end


class CareerBreakRecord(Record):
    model_config = RECORD_CONFIG

    source: CareerBreakSource
    dossier_number: str | None = Field(default=None, max_length=30)
    insz: Insz
    period: Period
    category: CodeValue  # 1 digit: 1 time credit, 4 care credit, ...
    regime: CodeValue | None = None
    reduction: CodeValue  # full, half, 1/5 ...
    reason: CodeValue | None = None  # motive code
    contract: CodeValue | None = None
    monthly_allowance: int | None = Field(default=None, ge=0, description="euro, as MAGDA gives it")
    average_hours_per_week: Decimal | None = Field(
        default=None, ge=0, le=60, max_digits=5, decimal_places=2
    )


class CareerBreakQuery(Record):
    """Ask for one worker's career breaks over a period, optionally from some sources only."""

    model_config = RECORD_CONFIG

    insz: Insz
    period: Period
    sources: tuple[CareerBreakSource, ...] = ()


class CareerBreakResponse(Record):
    model_config = RECORD_CONFIG

    insz: Insz
    period: Period
    records: tuple[CareerBreakRecord, ...] = ()


class AttestStatus(StrEnum):
    """What a mutation notification says happened to an attest."""

    NEW = "new"
    CANCELLED = "cancelled"


class CareerBreakMutation(Record):
    """One change the federal side pushes: an attest (number + status) and the record it concerns.

    MAGDA's mutation service publishes new and cancelled attests; a cancelled attest still carries
    the record so that the receiver can find what it had derived from it (e.g. a VOK decision).
    """

    model_config = RECORD_CONFIG

    attest_number: str = Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._/-]+$")
    status: AttestStatus
    record: CareerBreakRecord
