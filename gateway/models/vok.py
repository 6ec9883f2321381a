"""VOK eligibility decision: may the worker get the Flemish training-credit premium?

The decision lists every rule it checked (passed or not) so that a Flemish backend, or a worker
contacted proactively, sees why; "not eligible" without reasons is useless to both.
"""

from __future__ import annotations

from datetime import date
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
    source: str | None = Field(
        default=None, description="where the rule or the figure it applies comes from"
    )


class VokMonth(Record):
    """The decision for one calendar month: the premium is monthly, so is the answer."""

    model_config = RECORD_CONFIG

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    first_day: date = Field(description="first day of the month inside the decided period")
    last_day: date = Field(description="last day of the month inside the decided period")
    eligible: bool
    reduction: Reduction | None = None
    monthly_premium_eur: Decimal | None = Field(default=None, ge=0)
    single_supplement_eur: Decimal | None = Field(default=None, ge=0)
    amount_eur: Decimal | None = Field(
        default=None, ge=0, description="premium plus supplement for this month, when eligible"
    )
    career_break_dossier: str | None = None
    rule_data_version: str | None = None
    failed: tuple[RuleCheck, ...] = Field(
        default=(), description="every rule that refuses this month (its own and the decision's)"
    )


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
    months: tuple[VokMonth, ...] = Field(
        default=(), description="the decision per calendar month of the period"
    )
    total_eur: Decimal | None = Field(
        default=None, ge=0, description="sum of the eligible months' amounts"
    )
    provisional: bool = Field(
        default=False,
        description="rests on facts not checked or on figures / codes that are not confirmed",
    )
    provisional_reasons: tuple[str, ...] = ()
