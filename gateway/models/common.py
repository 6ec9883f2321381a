"""Shared field types: identifiers as annotated strings, regions, school years."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

from gateway.identifiers.establishment import validate_establishment_unit
from gateway.identifiers.insz import validate_insz
from gateway.identifiers.kbo import validate_kbo

#: Every canonical model is strict about unknown fields: a field nobody maps is a field lost.
RECORD_CONFIG = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

XML_CHAR_RULE = "text.xml-char"
# What XML 1.0 cannot carry: C0 controls other than tab, LF and CR; surrogates (a lone one in
# JSON "\ud800"); the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class TextRuleError(ValueError):
    """A text value breaks a rule of brug's (``rule`` names it, like the identifier errors)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def check_xml_text(value: str) -> str:
    """``value`` when XML 1.0 can carry every character of it, else :class:`TextRuleError`.

    Every canonical record ends up in XML (BEV, ODB, career breaks): a character XML cannot
    carry must be refused at the edge, naming the field, not fail later inside lxml (a 500, or a
    stored course that poisons every later lookup).
    """
    found = _NOT_XML.search(value)
    if found is not None:
        raise TextRuleError(
            XML_CHAR_RULE,
            f"character U+{ord(found.group()):04X} at position {found.start()} cannot be carried"
            " in XML 1.0 (control characters other than tab/CR/LF, surrogates, U+FFFE/U+FFFF)",
        )
    return value


def escape_unsafe_text(value: str) -> str:
    """``value`` with every character XML 1.0 (or UTF-8, for a lone surrogate) cannot carry
    written as ``\\uXXXX``: safe to echo in an error body or a fault."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def _check_texts(value: object) -> object:
    if isinstance(value, str):
        return check_xml_text(value)
    if isinstance(value, list | tuple | frozenset | set):
        for item in value:
            if isinstance(item, str):
                check_xml_text(item)
    return value


class Record(BaseModel):
    """Base of the canonical models: strict about unknown fields, and every text field only
    holds characters XML 1.0 can carry (rule ``text.xml-char``)."""

    model_config = RECORD_CONFIG

    @field_validator("*", mode="after")
    @classmethod
    def _xml_text(cls, value: object) -> object:
        return _check_texts(value)


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
