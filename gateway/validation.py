"""Turn pydantic's validation errors into brug's single error type.

Every edge (CLI, REST, SOAP) reports bad input the same way: a list of (path, rule, value,
message). Identifier validators raise errors carrying a ``rule`` (``insz.checksum``...); pydantic's
own checks map to ``type.<error type>`` rules. Values that may be personal data are masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from gateway.errors import BrugValidationError, Violation
from gateway.identifiers.insz import mask_insz
from gateway.models.common import XML_CHAR_RULE, escape_unsafe_text
from gateway.observability.redaction import redact_insz

M = TypeVar("M", bound=BaseModel)

_SENSITIVE_KEYS = ("insz", "ssin")
#: pydantic error types that are brug rules under another name (a lone surrogate is refused by
#: pydantic before brug's own text check sees it: the same rule for the client either way).
_RULES = {"string_unicode": XML_CHAR_RULE}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "/"


def _shown(loc: tuple[int | str, ...], value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bytes):
        return None
    # Echoed in JSON and in SOAP faults: a character neither can carry is shown escaped; an
    # INSZ is masked by field name and, anywhere in the text, by value.
    text = escape_unsafe_text(str(value))
    if any(str(p).lower() in _SENSITIVE_KEYS for p in loc):
        return mask_insz(text)
    text = redact_insz(text)
    return text if len(text) <= 80 else text[:77] + "..."


def error_rule(item: Mapping[str, Any]) -> str:
    """The brug rule of one pydantic (or FastAPI) error item: the validator's own ``rule``
    (``insz.checksum``...), a rule brug names itself, else ``type.<pydantic type>``."""
    cause = (item.get("ctx") or {}).get("error")
    kind = str(item.get("type", "invalid"))
    return getattr(cause, "rule", None) or _RULES.get(kind, f"type.{kind}")


def error_message(item: Mapping[str, Any]) -> str:
    cause = (item.get("ctx") or {}).get("error")
    return str(cause) if cause is not None else str(item.get("msg", "invalid"))


def shown_input(loc: tuple[int | str, ...], value: Any) -> str | None:
    """The input of an error as it may be echoed: INSZ masked, unsafe characters escaped,
    long values cut; None for structures."""
    return _shown(loc, value)


def violations_from_pydantic(error: ValidationError) -> list[Violation]:
    """One :class:`Violation` per pydantic error, with brug rule names where known."""
    out: list[Violation] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        out.append(
            Violation(
                _path(loc), error_rule(item), error_message(item), _shown(loc, item.get("input"))
            )
        )
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
    except RecursionError:
        raise BrugValidationError(
            [Violation("/", "json.depth", "arrays or objects nested too deeply")],
            context=context or model.__name__,
        ) from None
    return parse_model(model, data, context=context)
