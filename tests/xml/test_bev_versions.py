"""BEV v1 vs v2: the optional element v2 adds and the enumeration value v2 removes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree

from adapters.brussels import xml as bev_xml
from gateway.errors import BrugValidationError
from gateway.models import BevRecord, MessageHeader, RaisedCapReason
from gateway.xml import schemas
from gateway.xml.binding import serialize
from tests import strategies as s

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = settings(max_examples=40, deadline=None)


def _example() -> tuple[BevRecord, MessageHeader]:
    message = bev_xml.from_xml((EXAMPLES / "bev-record-v1.xml").read_bytes())
    return message.body, message.header


def test_v2_refuses_the_removed_reason_but_v1_carries_it() -> None:
    record, header = _example()
    low = record.model_copy(update={"raised_cap_reason": RaisedCapReason.LOW_EDUCATION})
    with pytest.raises(BrugValidationError) as caught:
        bev_xml.to_xml(low, header, version=2)
    (violation,) = caught.value.violations
    assert violation.rule == "bev.v2.enumeration-narrowed"
    assert violation.value == "low-education"
    again = bev_xml.from_xml(serialize(bev_xml.to_xml(low, header, version=1)))
    assert again.body.raised_cap_reason is RaisedCapReason.LOW_EDUCATION


@FAST
@given(record=s.bev_records(), header=s.message_headers())
def test_v2_refuses_exactly_the_removed_value(record: BevRecord, header: MessageHeader) -> None:
    if record.raised_cap_reason is RaisedCapReason.LOW_EDUCATION:
        with pytest.raises(BrugValidationError):
            bev_xml.to_xml(record, header, version=2)
    else:
        schemas.validate("bev-record-v2", bev_xml.to_xml(record, header, version=2))


def test_v2_narrows_the_enumeration_by_exactly_one_value() -> None:
    v1_values = _enum_values("bev-record-v1")
    v2_values = _enum_values("bev-record-v2")
    assert v1_values - v2_values == {"faible-niveau-etudes"}
    assert v2_values < v1_values
    assert bev_xml.RAISED_CAP_REASONS[RaisedCapReason.LOW_EDUCATION] == "faible-niveau-etudes"


def _enum_values(name: str) -> set[str]:
    tree = etree.parse(str(schemas.info(name).path))
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    path = "//xs:simpleType[@name='MotifPlafondMajore']//xs:enumeration/@value"
    return {str(v) for v in tree.xpath(path, namespaces=xs)}


def test_v1_cannot_carry_the_title_language() -> None:
    record, header = _example()
    french = record.model_copy(update={"course_title_language": "fr"})
    assert bev_xml.fields_lost(french, 1) == ("course_title_language",)
    assert bev_xml.fields_lost(french, 2) == ()
    with pytest.raises(BrugValidationError) as caught:
        bev_xml.to_xml(french, header, version=1)
    assert caught.value.violations[0].rule == "bev.v1.field-not-carried"
    lossy = bev_xml.from_xml(serialize(bev_xml.to_xml(french, header, version=1, allow_loss=True)))
    assert lossy.body.course_title_language == "nl"
    kept = bev_xml.from_xml(serialize(bev_xml.to_xml(french, header, version=2)))
    assert kept.body.course_title_language == "fr"


def test_examples_carry_their_version() -> None:
    v1 = bev_xml.from_xml((EXAMPLES / "bev-record-v1.xml").read_bytes()).body
    v2 = bev_xml.from_xml((EXAMPLES / "bev-record-v2.xml").read_bytes()).body
    assert v1.course_title_language == "nl"
    assert v2.course_title_language == "fr"


def test_v2_without_the_optional_element_defaults_to_dutch() -> None:
    record, header = _example()
    root = bev_xml.to_xml(record, header, version=2)
    (language,) = root.iter("{urn:be:brug:brussels:bev-record:2}langueIntitule")
    language.getparent().remove(language)
    assert bev_xml.from_xml(serialize(root)).body.course_title_language == "nl"


def test_unknown_root_is_refused() -> None:
    with pytest.raises(BrugValidationError) as caught:
        bev_xml.from_xml(b"<messageCongeEducation xmlns='urn:be:brug:brussels:bev-record:3'/>")
    assert caught.value.violations[0].rule == "xml.root"
