"""Every generated value passes its model's validation (and the identifier validators).

Strategies build models through ``model_validate`` already; re-validating the dumped data here
catches a generator that only works because of coercion (e.g. a value the model would strip).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters.brussels import xml as bev_xml
from gateway.identifiers import validate_establishment_unit, validate_insz, validate_kbo
from gateway.identifiers.insz import is_bis_number
from gateway.models import RaisedCapReason, Region
from tests import strategies as s

FAST = settings(max_examples=60, deadline=None)

MODEL_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "worker": s.workers(),
    "employer": s.employers(),
    "establishment_unit": s.establishment_units(),
    "employment": s.employments(),
    "party": s.parties(),
    "message_header": s.message_headers(),
    "volume": s.volumes(),
    "provider": s.providers(),
    "course_module": s.course_modules(),
    "odb_course": s.odb_courses(),
    "prior_use": s.prior_uses(),
    "vov_registration": s.vov_registrations(),
    "vov_registration_brussels": s.vov_registrations(region=Region.BRUSSELS),
    "bev_record": s.bev_records(),
    "bev_record_v1": s.bev_records(version=1),
    "bev_record_v2": s.bev_records(version=2),
    "code_value": s.code_values(),
    "period": s.periods(),
    "career_break_record": s.career_break_records(),
    "career_break_query": s.career_break_queries(),
    "career_break_response": s.career_break_responses(),
    "career_break_mutation": s.career_break_mutations(),
    "rule_check": s.rule_checks(),
    "vok_decision": s.vok_decisions(),
}


@pytest.mark.parametrize("name", sorted(MODEL_STRATEGIES))
def test_generated_models_revalidate(name: str) -> None:
    @FAST
    @given(MODEL_STRATEGIES[name])
    def check(value: BaseModel) -> None:
        again = type(value).model_validate(value.model_dump())
        assert again == value
        json_again = type(value).model_validate_json(value.model_dump_json())
        assert json_again == value

    check()


@FAST
@given(s.insz())
def test_insz_valid(value: str) -> None:
    assert validate_insz(value) == value


@FAST
@given(s.insz(bis=True, born_from_2000=True))
def test_bis_from_2000_valid(value: str) -> None:
    assert validate_insz(value) == value
    assert is_bis_number(value)
    assert int(value[2:4]) >= 20


@FAST
@given(s.kbo())
def test_kbo_valid(value: str) -> None:
    assert validate_kbo(value) == value
    assert value[0] in "01"


@FAST
@given(s.establishment_unit_number())
def test_establishment_unit_valid(value: str) -> None:
    assert validate_establishment_unit(value) == value


@FAST
@given(s.vov_registrations(region=Region.FLANDERS))
def test_vov_region_fixed(value: Any) -> None:
    assert value.establishment_unit.region is Region.FLANDERS


@FAST
@given(s.bev_records(version=2))
def test_bev_v2_uses_removed_reason_only_where_derivable(value: Any) -> None:
    derivable = bev_xml.derives_low_education(value.course_type, value.worker.education_level)
    if value.raised_cap_reason is RaisedCapReason.LOW_EDUCATION:
        assert derivable
    elif value.raised_cap_reason is None:
        assert not derivable


@FAST
@given(s.bev_records(version=1))
def test_bev_v1_keeps_default_language(value: Any) -> None:
    assert value.course_title_language == "nl"
