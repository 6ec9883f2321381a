"""VOV decision: does a Flemish registration qualify for training leave, and for how much?

Every rule the decision applies is listed with its result and its source, so a refusal (or a
cap lower than the attest's hours) can be checked against the text it rests on.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from gateway.models.common import RECORD_CONFIG, Insz, Record
from gateway.models.vok import RuleCheck


class VovDecision(Record):
    model_config = RECORD_CONFIG

    registration_id: str
    insz: Insz
    odb_number: str
    school_year: str = Field(description="the school year the course starts in (VOV rule)")
    eligible: bool
    fraction: Decimal = Field(ge=0, le=1)
    cap_hours: Decimal = Field(ge=0, description="125 h x fraction (+125 h joint initiative)")
    hours_already_used: Decimal = Field(ge=0)
    claimable_hours: Decimal = Field(ge=0, description="min(contact hours, cap - hours used)")
    flat_rate_eur: Decimal = Field(ge=0)
    refund_eur: Decimal = Field(ge=0, description="claimable hours x flat rate, when eligible")
    wage_cap_month_eur: Decimal | None = Field(default=None, ge=0)
    wage_kept_month_eur: Decimal | None = Field(
        default=None, ge=0, description="the monthly wage the refund is computed on, capped"
    )
    refund_window_start: date
    refund_window_end: date
    rule_data_version: str
    checks: tuple[RuleCheck, ...]
    complete: bool = Field(description="every rule was evaluated")
    provisional: bool = False
    provisional_reasons: tuple[str, ...] = ()
