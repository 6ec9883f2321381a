"""VOK eligibility decision: may the worker get the Flemish training-credit premium?

The decision lists every rule it checked (passed or not) so that a Flemish backend, or a worker
contacted proactively, sees why; "not eligible" without reasons is useless to both.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from gateway.models.career_break import Period
from gateway.models.common import RECORD_CONFIG, Insz, Record


class Reduction(StrEnum):
    FULL = "full"
    HALF = "half"
    ONE_FIFTH = "one-fifth"


class RuleCheck(Record):
    model_config = RECORD_CONFIG

    rule: str = Field(description="stable rule id, e.g. vok.training-motive")
    passed: bool
    evaluated: bool = Field(
        default=True, description="false when the facts to check the rule were not available"
    )
    message: str


class VokDecision(Record):
    model_config = RECORD_CONFIG

    insz: Insz
    odb_number: str
    period: Period
    eligible: bool
    reduction: Reduction | None = None
    monthly_premium_eur: Decimal | None = Field(default=None, ge=0)
    single_supplement_eur: Decimal | None = Field(default=None, ge=0)
    career_break_dossier: str | None = None
    rule_data_version: str = Field(description="which rule-data file decided this")
    checks: tuple[RuleCheck, ...]
    complete: bool = Field(
        default=True,
        description="every rule was evaluated; an eligible but incomplete decision is provisional",
    )
