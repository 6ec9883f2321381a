"""Any valid generated record maps to a record that validates against the target XSD.

This ties the three layers together: the canonical model (strategies), the mapping (rules and
crosswalk) and the partner's wire schema. A mapping that produces a value the model accepts but
the XSD does not (a scale, a pattern, an enumeration v2 dropped) fails here, not at Brussels.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.brussels import xml as bev_xml
from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import bev_to_vov, vov_to_bev
from adapters.flanders import xml as flanders_xml
from gateway.errors import BrugValidationError
from gateway.models import BevRecord, MessageHeader, OdbCourse, Region, VovRegistration
from gateway.rules.ruledata import RuleBook
from gateway.xml import schemas
from gateway.xml.binding import serialize
from tests import strategies as s

RULES = RuleBook.load([], environ={})
CROSSWALK = Crosswalk.load([], environ={})
ENTRIES = CROSSWALK.entries()
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def brussels_cases(draw: st.DrawFn) -> tuple[VovRegistration, OdbCourse]:
    year = draw(st.integers(min_value=2023, max_value=2026))
    reg = draw(s.vov_registrations(region=Region.BRUSSELS, school_year=year))
    entry = draw(st.sampled_from(ENTRIES))
    reg = reg.model_copy(update={"odb_number": entry.odb_number})
    course = draw(s.odb_courses(odb_number=entry.odb_number))
    return reg, course


@SETTINGS
@given(case=brussels_cases(), header=s.message_headers())
def test_vov_to_bev_output_validates_against_the_bev_xsd(
    case: tuple[VovRegistration, OdbCourse], header: MessageHeader
) -> None:
    reg, course = case
    record = vov_to_bev(reg, course, RULES, CROSSWALK).record
    for version in bev_xml.writable_versions(record):
        root = bev_xml.to_xml(record, header, version=version)
        schemas.validate(bev_xml.SCHEMA_NAMES[version], root)
        assert bev_xml.from_xml(serialize(root)).body == record
    # the newest version that fits is always found: the mapping never yields an unwritable record
    assert bev_xml.best_version(record) in (1, 2)


@SETTINGS
@given(record=s.bev_records(), header=s.message_headers())
def test_bev_to_vov_output_validates_against_the_vov_xsd(
    record: BevRecord, header: MessageHeader
) -> None:
    entry = ENTRIES[0]
    bev = record.model_copy(update={"recognition_reference": entry.recognition_reference})
    try:
        result = bev_to_vov(bev, CROSSWALK, RULES)
    except BrugValidationError as exc:
        # a school year without VOV rule data is the only refusal a generated record may meet
        assert {v.rule for v in exc.violations} == {"rules.unknown-school-year"}, exc
        return
    root = flanders_xml.registration_to_xml(result.record, header)
    schemas.validate("vov-registration-v1", root)
    assert flanders_xml.registration_from_xml(serialize(root)).body == result.record
