"""Keep national numbers out of logs: anything shaped like an INSZ is masked before it is written.

The rule is deliberately blunt: *any* run of exactly 11 digits, or the printed form
``YY.MM.DD-NNN.CC``, is masked, whether or not its check digits are right. A log line is not the
place to decide that "this one is probably an order number"; a masked order number costs a
little convenience, a leaked INSZ is a personal-data incident. Longer digit runs (timestamps in
milliseconds, 12-digit ids) and KBO numbers (10 digits) are left alone.

The masked form is :func:`gateway.identifiers.insz.mask_insz` (last three digits kept), so that
two lines about the same person can still be told apart from lines about another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gateway.identifiers.insz import mask_insz

INSZ_LIKE = re.compile(r"(?<!\d)\d{2}\.?\d{2}\.?\d{2}[-. ]?\d{3}\.?\d{2}(?!\d)")


def contains_insz(text: str) -> bool:
    return INSZ_LIKE.search(text) is not None


def redact_insz(text: str) -> str:
    """``text`` with every INSZ-looking number replaced by its masked form."""
    return INSZ_LIKE.sub(lambda match: mask_insz(match.group(0)), text)


def redact_value(value: Any) -> Any:
    """Redact strings inside ``value`` (dicts, lists, tuples, sets, nested); keep other types.

    Integers are redacted too when they have 11 digits: ``extra={"insz": 85073003328}`` must not
    slip through because someone stored the number as an int.
    """
    if isinstance(value, str):
        return redact_insz(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        text = str(value)
        return redact_insz(text) if contains_insz(text) else value
    if isinstance(value, Mapping):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(redact_value(v) for v in value)
    return value
