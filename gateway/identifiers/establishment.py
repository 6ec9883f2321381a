"""Establishment-unit number (vestigingseenheidsnummer): 10 digits starting with 2 to 8.

The unit declared in the DmfA decides whether a worker falls under VOV (Flemish Region) or BEV
(Brussels), so it is a routing key. Its check uses the same mod-97 rule as the enterprise number;
stdnum has no module for it, so the arithmetic is done here with stdnum's helpers.
"""

from __future__ import annotations

from functools import lru_cache

from stdnum.util import clean, isdigits


class InvalidEstablishmentUnit(ValueError):
    """Not a valid establishment-unit number."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@lru_cache(maxsize=4096)  # employers repeat across a bulk file; public numbers, not personal
def validate_establishment_unit(value: str) -> str:
    """Return the compact 10-digit number, else raise InvalidEstablishmentUnit."""
    compact = clean(value, " .-").strip()
    if not isdigits(compact) or len(compact) != 10:
        raise InvalidEstablishmentUnit("establishment.format", "10 digits expected")
    if compact[0] not in "2345678":
        raise InvalidEstablishmentUnit(
            "establishment.format", "an establishment-unit number starts with 2 to 8"
        )
    if 97 - int(compact[:8]) % 97 != int(compact[8:]):
        raise InvalidEstablishmentUnit(
            "establishment.checksum", "97 - (first 8 digits mod 97) must equal the last 2"
        )
    return compact
