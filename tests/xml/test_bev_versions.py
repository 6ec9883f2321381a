"""BEV v1 vs v2: the optional element v2 adds and the enumeration value v2 removes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree

from adapters.brussels import xml as bev_xml
from gateway.errors import BrugValidationError
from gateway.models import (
    BevCourseType,
    BevRecord,
    EducationLevel,
    MessageHeader,
    RaisedCapReason,
)
from gateway.xml import schemas
from gateway.xml.binding import serialize
from tests import strategies as s

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = settings(max_examples=40, deadline=None)


def _example() -> tuple[BevRecord, MessageHeader]:
    message = bev_xml.from_xml((EXAMPLES / "bev-record-v1.xml").read_bytes())
    return message.body, message.header


def test_v2_refuses_the_removed_reason_where_not_derivable_but_v1_carries_it() -> None:
    record, header = _example()
    high = record.worker.model_copy(update={"education_level": EducationLevel.HIGH})
    low = record.model_copy(
        update={"raised_cap_reason": RaisedCapReason.LOW_EDUCATION, "worker": high}
    )
    with pytest.raises(BrugValidationError) as caught:
        bev_xml.to_xml(low, header, version=2)
    (violation,) = caught.value.violations
    assert violation.rule == "bev.v2.enumeration-narrowed"
    assert violation.value == "low-education"
    assert bev_xml.best_version(low) == 1
    again = bev_xml.from_xml(serialize(bev_xml.to_xml(low, header, version=1)))
    assert again.body.raised_cap_reason is RaisedCapReason.LOW_EDUCATION


def test_v2_omits_a_derivable_low_education_raise_and_derives_it_back() -> None:
    record, header = _example()
    medium = record.worker.model_copy(update={"education_level": EducationLevel.MEDIUM})
    low = record.model_copy(
        update={
            "raised_cap_reason": RaisedCapReason.LOW_EDUCATION,
            "worker": medium,
            "course_type": BevCourseType.PROFESSIONAL,
        }
    )
    root = bev_xml.to_xml(low, header, version=2)
    assert b"faible-niveau-etudes" not in serialize(root)
    schemas.validate("bev-record-v2", root)
    assert bev_xml.from_xml(serialize(root)).body == low
    # the same record without the raise cannot be written as v2: it would be read back raised
    plain = low.model_copy(update={"raised_cap_reason": None})
    with pytest.raises(BrugValidationError) as caught:
        bev_xml.to_xml(plain, header, version=2)
    assert caught.value.violations[0].rule == "bev.v2.enumeration-narrowed"
    assert bev_xml.best_version(plain) == 1


@FAST
@given(record=s.bev_records(), header=s.message_headers())
def test_v2_refuses_exactly_what_it_cannot_carry(record: BevRecord, header: MessageHeader) -> None:
    derivable = bev_xml.derives_low_education(record.course_type, record.worker.education_level)
    reason = record.raised_cap_reason
    unfaithful = (reason is RaisedCapReason.LOW_EDUCATION and not derivable) or (
        reason is None and derivable
    )
    if unfaithful:
        with pytest.raises(BrugValidationError):
            bev_xml.to_xml(record, header, version=2)
    else:
        root = bev_xml.to_xml(record, header, version=2)
        schemas.validate("bev-record-v2", root)
        assert bev_xml.from_xml(serialize(root)).body == record


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
