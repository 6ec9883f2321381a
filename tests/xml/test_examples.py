"""Every example validates (its JSON twin is the same model); every invalid one fails as named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pydantic import BaseModel, TypeAdapter

from adapters.brussels import xml as bev_xml
from adapters.federal import xml as federal_xml
from adapters.flanders import xml as flanders_xml
from gateway.errors import BrugValidationError
from gateway.models import (
    BevRecord,
    CareerBreakMutation,
    CareerBreakQuery,
    CareerBreakResponse,
    OdbCourse,
    Region,
    VovRegistration,
)
from gateway.validation import parse_model_json
from gateway.xml.binding import Message, canonical
from gateway.xml.safe_parser import parse_xml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Reader = Callable[[bytes], Message[Any]]

#: xml example -> (reader, JSON twin, model of the JSON twin)
VALID: dict[str, tuple[Reader, str | None, type[BaseModel] | None]] = {
    "vov-registration-brussels.xml": (
        flanders_xml.registration_from_xml,
        "vov-registration-brussels.json",
        VovRegistration,
    ),
    "vov-registration-mover.xml": (
        flanders_xml.registration_from_xml,
        "vov-registration-mover.json",
        VovRegistration,
    ),
    "vov-registration-flanders.xml": (
        flanders_xml.registration_from_xml,
        "vov-registration-flanders.json",
        VovRegistration,
    ),
    "vov-registrations-bulk.xml": (flanders_xml.registrations_from_xml, None, None),
    "odb-course.xml": (flanders_xml.course_from_xml, "odb-course.json", OdbCourse),
    "odb-course-vok.xml": (flanders_xml.course_from_xml, "odb-course-vok.json", OdbCourse),
    "bev-record-v1.xml": (bev_xml.from_xml, "bev-record.json", BevRecord),
    "bev-record-v2.xml": (bev_xml.from_xml, None, None),
    "career-breaks.xml": (federal_xml.response_from_xml, "career-breaks.json", CareerBreakResponse),
    "career-break-query.xml": (
        federal_xml.query_from_xml,
        "career-break-query.json",
        CareerBreakQuery,
    ),
    "career-break-mutation.xml": (federal_xml.mutations_from_xml, None, None),
}


def test_every_example_is_covered() -> None:
    xml_files = {p.name for p in EXAMPLES.glob("*.xml")}
    json_files = {p.name for p in EXAMPLES.glob("*.json")}
    assert xml_files == set(VALID)
    twins = {twin for _, twin, _ in VALID.values() if twin} | {"career-break-mutation.json"}
    assert json_files == twins


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_example_reads_and_writes_back_identically(name: str) -> None:
    reader, twin, model = VALID[name]
    raw = (EXAMPLES / name).read_bytes()
    message = reader(raw)
    if twin is not None and model is not None:
        assert parse_model_json(model, (EXAMPLES / twin).read_bytes()) == message.body
    writers: dict[Reader, Callable[[Any, Any], Any]] = {
        flanders_xml.registration_from_xml: flanders_xml.registration_to_xml,
        flanders_xml.registrations_from_xml: flanders_xml.registrations_to_xml,
        flanders_xml.course_from_xml: flanders_xml.course_to_xml,
        federal_xml.response_from_xml: federal_xml.response_to_xml,
        federal_xml.query_from_xml: federal_xml.query_to_xml,
        federal_xml.mutations_from_xml: federal_xml.mutations_to_xml,
    }
    if reader is bev_xml.from_xml:
        version = bev_xml.version_of(parse_xml(raw))
        again = bev_xml.to_xml(message.body, message.header, version=version)
    else:
        again = writers[reader](message.body, message.header)
    # examples are pretty-printed and commented: compare the information, not the indentation
    original = etree.fromstring(raw, etree.XMLParser(remove_blank_text=True, remove_comments=True))
    assert canonical(again) == canonical(original)


def test_mutation_json_twin() -> None:
    adapter = TypeAdapter(tuple[CareerBreakMutation, ...])
    from_json = adapter.validate_json((EXAMPLES / "career-break-mutation.json").read_bytes())
    message = federal_xml.mutations_from_xml((EXAMPLES / "career-break-mutation.xml").read_bytes())
    assert message.body == from_json


def test_example_scenarios() -> None:
    brussels = flanders_xml.registration_from_xml(
        (EXAMPLES / "vov-registration-brussels.xml").read_bytes()
    ).body
    assert brussels.establishment_unit.region is Region.BRUSSELS
    mover = flanders_xml.registration_from_xml(
        (EXAMPLES / "vov-registration-mover.xml").read_bytes()
    ).body
    assert [p.region for p in mover.prior_use] == [Region.FLANDERS]
    assert int(mover.worker.insz[2:4]) > 20  # a BIS number
    flemish = flanders_xml.registration_from_xml(
        (EXAMPLES / "vov-registration-flanders.xml").read_bytes()
    ).body
    assert flemish.establishment_unit.region is Region.FLANDERS
    breaks = federal_xml.response_from_xml((EXAMPLES / "career-breaks.xml").read_bytes()).body
    training = [r for r in breaks.records if r.reason is not None and r.reason.code == "5"]
    assert training and training[0].category.code == "1"


def _crosswalk_numbers() -> set[str]:
    path = Path(__file__).resolve().parents[2] / "adapters" / "brussels" / "data" / "crosswalk.csv"
    if not path.exists():
        pytest.skip("crosswalk not shipped yet")
    return {line.split(",", 1)[0] for line in path.read_text().splitlines()[1:] if line}


def test_example_odb_numbers_exist_in_the_crosswalk() -> None:
    numbers = _crosswalk_numbers()
    course = json.loads((EXAMPLES / "odb-course.json").read_text())
    assert course["odb_number"] in numbers
    for name in ("brussels", "mover", "flanders"):
        data = json.loads((EXAMPLES / f"vov-registration-{name}.json").read_text())
        assert data["odb_number"] in numbers


# --------------------------------------------------------------------------- invalid

INVALID_XML: dict[str, tuple[Reader, set[str]]] = {
    "bad-insz.xml": (flanders_xml.registration_from_xml, {"insz.checksum"}),
    "bad-kbo.xml": (flanders_xml.registration_from_xml, {"kbo.checksum"}),
    "schema-invalid.xml": (
        flanders_xml.registration_from_xml,
        {
            "xsd.schemav_cvc_enumeration_valid",
            "xsd.schemav_cvc_datatype_valid_1_2_1",
            "xsd.schemav_element_content",
        },
    ),
    "malformed.xml": (flanders_xml.registration_from_xml, {"xml.well-formed"}),
    "doctype-entity.xml": (flanders_xml.registration_from_xml, {"xml.dtd"}),
    "bev-v2-removed-reason.xml": (bev_xml.from_xml, {"xsd.schemav_cvc_enumeration_valid"}),
}
INVALID_JSON: dict[str, tuple[type[BaseModel], set[str]]] = {
    "bad-insz.json": (VovRegistration, {"insz.checksum"}),
    "bad-kbo.json": (VovRegistration, {"kbo.checksum"}),
}


def test_every_invalid_example_is_covered() -> None:
    assert {p.name for p in (EXAMPLES / "invalid").iterdir()} == set(INVALID_XML) | set(
        INVALID_JSON
    )


@pytest.mark.parametrize("name", sorted(INVALID_XML))
def test_invalid_xml_example(name: str) -> None:
    reader, rules = INVALID_XML[name]
    with pytest.raises(BrugValidationError) as caught:
        reader((EXAMPLES / "invalid" / name).read_bytes())
    assert {v.rule for v in caught.value.violations} == rules


@pytest.mark.parametrize("name", sorted(INVALID_JSON))
def test_invalid_json_example(name: str) -> None:
    model, rules = INVALID_JSON[name]
    with pytest.raises(BrugValidationError) as caught:
        parse_model_json(model, (EXAMPLES / "invalid" / name).read_bytes())
    assert {v.rule for v in caught.value.violations} == rules


def test_model_violations_carry_message_paths() -> None:
    with pytest.raises(BrugValidationError) as caught:
        flanders_xml.registration_from_xml((EXAMPLES / "invalid" / "bad-insz.xml").read_bytes())
    (violation,) = caught.value.violations
    assert violation.path == "registration.worker.insz"
    assert violation.value is not None and violation.value.startswith("********")
