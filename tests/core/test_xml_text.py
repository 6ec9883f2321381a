"""Every canonical text field holds only what XML 1.0 can carry (rule ``text.xml-char``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from gateway.errors import BrugValidationError
from gateway.models import Employer
from gateway.models.common import XML_CHAR_RULE, TextRuleError, check_xml_text, escape_unsafe_text
from gateway.validation import parse_model


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ud800", "\ufffe"])
def test_a_model_text_field_refuses_what_xml_cannot_carry(char: str) -> None:
    with pytest.raises(BrugValidationError) as info:
        parse_model(Employer, {"kbo": "0403170701", "name": f"a{char}b", "sector": "private"})
    (violation,) = info.value.violations
    assert (violation.path, violation.rule) == ("name", XML_CHAR_RULE)
    assert violation.value is not None and "\\u" in violation.value  # echoed escaped
    assert escape_unsafe_text(violation.value) == violation.value


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "é", "\u20ac", "\U0001f600"])
def test_what_xml_carries_is_accepted(char: str) -> None:
    employer = parse_model(
        Employer, {"kbo": "0403170701", "name": f"a{char}b", "sector": "private"}
    )
    assert char in employer.name or char in "\t\n\r"


@given(st.text())
def test_accepted_text_always_fits_in_an_xml_element(value: str) -> None:
    """Property: check_xml_text accepts exactly what lxml can put in an element's text."""
    try:
        check_xml_text(value)
    except TextRuleError:
        with pytest.raises((ValueError, UnicodeEncodeError)):
            etree.Element("a").text = value
        return
    etree.Element("a").text = value  # never raises for accepted text


@given(st.text())
def test_escaped_text_is_always_accepted(value: str) -> None:
    escaped = escape_unsafe_text(value)
    assert check_xml_text(escaped) == escaped
