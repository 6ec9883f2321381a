"""The federal career-break code table: what a ``Categorie``, ``Vermindering`` and ``Reden``
code means.

MAGDA returns codes, and which ``Reden`` means "training" is not public: brug ships a *sample*
table (``data/codes.toml``, ``status = "sample"``) and loads another from a path,
``$BRUG_FEDERAL_CODES`` or ``[rules] codes`` without a code change once the real list is known.
Every table states its source, validity and status; a VOK decision made with a table that is
not confirmed, or on a date outside its validity, says so. Unknown codes are never guessed:
they simply do not count as time credit / training / a known reduction.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gateway.errors import BrugValidationError, Violation
from gateway.models.vok import Reduction
from gateway.rules.ruledata import Status
from gateway.validation import violations_from_pydantic

DEFAULT_CODES = Path(__file__).parent / "data" / "codes.toml"
ENV_CODES = "BRUG_FEDERAL_CODES"

_CONFIG = ConfigDict(extra="forbid", frozen=True)
CodeKey = str


class CategoryCode(BaseModel):
    model_config = _CONFIG

    kind: Literal["time-credit", "career-break", "thematic-leave", "care-credit", "other"]
    description: str = ""


class ReductionCode(BaseModel):
    model_config = _CONFIG

    reduction: Reduction | None = Field(default=None, description="None: not a VOK reduction")
    description: str = ""


class ReasonCode(BaseModel):
    model_config = _CONFIG

    training: bool
    description: str = ""


class CodeTable(BaseModel):
    """One version of the code table, with its source, validity and status.

    ``status`` is ``confirmed`` for the RVA/MAGDA list, ``sample`` for the shipped guess;
    ``confirmed = true|false`` (the form before statuses) reads as confirmed / assumed.
    """

    model_config = _CONFIG

    version: str = Field(min_length=1, max_length=64)
    status: Status
    confirmed: bool | None = Field(default=None, description="legacy form of status")
    source: str = Field(min_length=1)
    valid_from: date
    valid_to: date | None = None
    categories: dict[CodeKey, CategoryCode]
    reductions: dict[CodeKey, ReductionCode]
    reasons: dict[CodeKey, ReasonCode]

    @model_validator(mode="before")
    @classmethod
    def _legacy_confirmed(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and "status" not in data
            and isinstance(data.get("confirmed"), bool)
        ):
            return {**data, "status": "confirmed" if data["confirmed"] else "assumed"}
        return data

    @model_validator(mode="after")
    def _validity_in_order(self) -> CodeTable:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def provisional_reason(self) -> str | None:
        """Why a decision using this table is provisional; None for a confirmed table."""
        if self.status is Status.CONFIRMED:
            return None
        return (
            f"federal code table {self.version} is {self.status.value}: which Reden code means "
            f"training is not public (domain.md); {self.source}"
        )

    def is_time_credit(self, category: str) -> bool:
        found = self.categories.get(category)
        return found is not None and found.kind == "time-credit"

    def reduction_of(self, code: str) -> Reduction | None:
        found = self.reductions.get(code)
        return None if found is None else found.reduction

    def is_training_reason(self, code: str | None) -> bool:
        if code is None:
            return False
        found = self.reasons.get(code)
        return found is not None and found.training

    @classmethod
    def load(
        cls, path: Path | str | None = None, *, environ: Mapping[str, str] | None = None
    ) -> CodeTable:
        """The table at ``path``, else ``$BRUG_FEDERAL_CODES``, else the shipped assumption."""
        env = os.environ if environ is None else environ
        chosen = Path(path) if path is not None else Path(env.get(ENV_CODES) or DEFAULT_CODES)
        try:
            raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BrugValidationError(
                [Violation(str(chosen), "codes.file-unreadable", str(exc))], context="code table"
            ) from None
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise BrugValidationError(
                [
                    Violation(f"{chosen}:{v.path}", v.rule, v.message, v.value)
                    for v in violations_from_pydantic(exc)
                ],
                context="code table",
            ) from None
