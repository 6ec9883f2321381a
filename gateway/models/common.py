"""Shared field types: identifiers as annotated strings, regions, school years."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, ConfigDict

from gateway.identifiers.establishment import validate_establishment_unit
from gateway.identifiers.insz import validate_insz
from gateway.identifiers.kbo import validate_kbo

#: Every canonical model is strict about unknown fields: a field nobody maps is a field lost.
RECORD_CONFIG = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _insz(value: str) -> str:
    return validate_insz(value)


def _kbo(value: str) -> str:
    return validate_kbo(value)


def _establishment(value: str) -> str:
    return validate_establishment_unit(value)


_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def _school_year(value: str) -> str:
    match = _SCHOOL_YEAR.match(value)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError("a school year is written YYYY-YYYY (consecutive years), e.g. 2024-2025")
    return value


#: INSZ/NISS or BIS number, compact 11 digits after validation.
Insz = Annotated[str, AfterValidator(_insz)]
#: KBO/BCE enterprise number, compact 10 digits after validation.
Kbo = Annotated[str, AfterValidator(_kbo)]
#: Establishment-unit number, compact 10 digits after validation.
EstablishmentUnitNumber = Annotated[str, AfterValidator(_establishment)]
#: "2024-2025": 1 September 2024 to 31 August 2025.
SchoolYear = Annotated[str, AfterValidator(_school_year)]


class Region(StrEnum):
    """Region of an establishment unit; it decides which scheme (VOV or BEV) applies."""

    FLANDERS = "flanders"
    BRUSSELS = "brussels"
    WALLONIA = "wallonia"
    GERMAN_SPEAKING = "german-speaking"
