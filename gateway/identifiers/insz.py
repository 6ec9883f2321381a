"""INSZ/NISS: the national register number or a BIS number.

Eleven digits: YYMMDD, a 3-digit counter, 2 check digits (97 - n mod 97, with "2" prefixed to
the first nine digits for people born from 2000). BIS numbers add 20 (sex unknown) or 40 (sex
known) to the month. stdnum implements all of this; this module adds the brug-specific parts:
one error type for both kinds, and masking so that an INSZ never reaches a log in clear.
"""

from __future__ import annotations

from stdnum import exceptions as stdnum_exceptions
from stdnum.be import bis, nn


class InvalidInsz(ValueError):
    """Not a valid national register or BIS number; ``rule`` says which check failed."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


_RULES: dict[type[Exception], tuple[str, str]] = {
    stdnum_exceptions.InvalidLength: ("insz.length", "an INSZ has exactly 11 digits"),
    stdnum_exceptions.InvalidFormat: ("insz.format", "an INSZ contains digits only"),
    stdnum_exceptions.InvalidChecksum: (
        "insz.checksum",
        "check digits do not match (97 - n mod 97, '2' prefixed for births from 2000)",
    ),
    stdnum_exceptions.InvalidComponent: (
        "insz.birth-date",
        "the first six digits are not a possible birth date (month +20/+40 for BIS)",
    ),
}


def _is_bis(compact: str) -> bool:
    return len(compact) == 11 and compact.isdigit() and int(compact[2:4]) >= 20


def validate_insz(value: str) -> str:
    """Return the compact 11-digit form of a valid INSZ or BIS number, else raise InvalidInsz."""
    # The usual input is already compact: skip stdnum's clean() here (validate() runs it too).
    compact = value if len(value) == 11 and value.isdigit() else nn.compact(value)
    module = bis if _is_bis(compact) else nn
    try:
        return str(module.validate(compact))
    except stdnum_exceptions.ValidationError as exc:
        for kind, (rule, message) in _RULES.items():
            if isinstance(exc, kind):
                raise InvalidInsz(rule, message) from None
        raise InvalidInsz("insz.invalid", str(exc)) from None


def is_bis_number(value: str) -> bool:
    """True for a BIS number (month field raised by 20 or 40)."""
    return _is_bis(nn.compact(value))


def mask_insz(value: str) -> str:
    """Keep only the last three digits: enough to tell records apart in a log, not to identify.

    The birth date is deliberately hidden too: with a postcode it narrows a person down.
    """
    compact = "".join(ch for ch in value if ch.isdigit())
    if len(compact) != 11:
        return "***********"
    return f"********{compact[-3:]}"
