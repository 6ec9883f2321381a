"""KBO/BCE enterprise number: 10 digits, leading 0 or 1, 97 - (first 8 mod 97) = last 2.

Belgian VAT numbers are the enterprise number with a BE prefix, so stdnum's ``be.vat`` is the
validator (it also accepts the 9-digit pre-2005 form and adds the leading 0).
"""

from __future__ import annotations

from functools import lru_cache

from stdnum import exceptions as stdnum_exceptions
from stdnum.be import vat


class InvalidKbo(ValueError):
    """Not a valid enterprise number; ``rule`` says which check failed."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@lru_cache(maxsize=4096)  # employers repeat across a bulk file; public numbers, not personal
def validate_kbo(value: str) -> str:
    """Return the compact 10-digit form of a valid KBO number, else raise InvalidKbo."""
    try:
        return str(vat.validate(value))
    except stdnum_exceptions.InvalidChecksum:
        raise InvalidKbo(
            "kbo.checksum", "97 - (first 8 digits mod 97) must equal the last 2"
        ) from None
    except stdnum_exceptions.InvalidLength:
        raise InvalidKbo("kbo.length", "a KBO number has 10 digits") from None
    except stdnum_exceptions.ValidationError:
        raise InvalidKbo("kbo.format", "a KBO number is 10 digits starting with 0 or 1") from None
