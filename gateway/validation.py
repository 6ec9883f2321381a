"""Turn pydantic's validation errors into brug's single error type.

Every edge (CLI, REST, SOAP) reports bad input the same way: a list of (path, rule, value,
message). Identifier validators raise errors carrying a ``rule`` (``insz.checksum``...); pydantic's
own checks map to ``type.<error type>`` rules. Values that may be personal data are masked.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from gateway.errors import BrugValidationError, Violation
from gateway.identifiers.insz import mask_insz

M = TypeVar("M", bound=BaseModel)

_SENSITIVE_KEYS = ("insz", "ssin")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "/"


def _shown(loc: tuple[int | str, ...], value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    if any(str(p).lower() in _SENSITIVE_KEYS for p in loc):
        return mask_insz(text)
    return text if len(text) <= 80 else text[:77] + "..."


def violations_from_pydantic(error: ValidationError) -> list[Violation]:
    """One :class:`Violation` per pydantic error, with brug rule names where known."""
    out: list[Violation] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        ctx = item.get("ctx") or {}
        cause = ctx.get("error")
        rule = getattr(cause, "rule", None) or f"type.{item['type']}"
        message = str(cause) if cause is not None else item["msg"]
        out.append(Violation(_path(loc), rule, message, _shown(loc, item.get("input"))))
    return out


def parse_model(model: type[M], data: Any, *, context: str | None = None) -> M:
    """Validate python data (already parsed JSON) into ``model`` or raise BrugValidationError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BrugValidationError(
            violations_from_pydantic(exc), context=context or model.__name__
        ) from None


def parse_model_json(model: type[M], raw: bytes | str, *, context: str | None = None) -> M:
    """Validate a JSON document into ``model``; malformed JSON is a violation too."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BrugValidationError(
            [Violation("/", "json.well-formed", str(exc))], context=context or model.__name__
        ) from None
    return parse_model(model, data, context=context)
