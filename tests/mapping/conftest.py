"""Fixtures for mapping tests: rule book, crosswalk, code table and record builders.

Identifiers are real: INSZ 85073003328, KBO 0403170701, establishment units with valid check
digits (Brussels 2123456001, Flanders 3000001053).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from adapters.brussels.crosswalk import Crosswalk
from adapters.federal.codes import CodeTable
from gateway.models import OdbCourse, VovRegistration
from gateway.rules.ruledata import RuleBook

INSZ = "85073003328"
KBO = "0403170701"
BRUSSELS_UNIT = {"number": "2123456001", "region": "brussels", "postcode": "1000"}
FLEMISH_UNIT = {"number": "3000001053", "region": "flanders", "postcode": "9000"}

REGISTRATION: dict[str, Any] = {
    "registration_id": "VOV-2024-000123",
    "worker": {"insz": INSZ, "education_level": "high", "lives_alone": False},
    "employer": {"kbo": KBO, "name": "Brouwerij Zenne NV"},
    "establishment_unit": BRUSSELS_UNIT,
    "employment": {"fraction": "1.0000", "reference_month": "2024-09"},
    "odb_number": "CE-100235",  # professional, base cap, recognised, French title
    "provider_kbo": KBO,
    "contact_hours": "120.00",
    "start_date": "2024-10-01",
    "end_date": "2025-06-30",
}

COURSE: dict[str, Any] = {
    "odb_number": "CE-100235",
    "title_nl": "Projectbeheer",
    "provider": {"kbo": KBO, "name": "CVO Brussel", "wse_quality_registration": "KR-1234"},
    "course_type": "professional",
    "volume": {"amount": "120", "unit": "hours"},
    "incentives": {"vov": True, "training_vouchers": True, "vok": True},
    "outcomes": ["profession-specific-competences"],
    "qualifying": True,
    "valid_from": "2020-01-01",
}


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@pytest.fixture(scope="session")
def rules() -> RuleBook:
    return RuleBook.load([], include_unconfirmed=False, environ={})


@pytest.fixture(scope="session")
def crosswalk() -> Crosswalk:
    return Crosswalk.load([], environ={})


@pytest.fixture(scope="session")
def codes() -> CodeTable:
    return CodeTable.load(environ={})


@pytest.fixture
def make_reg() -> Callable[..., VovRegistration]:
    def build(**overrides: Any) -> VovRegistration:
        return VovRegistration.model_validate(_merge(REGISTRATION, overrides))

    return build


@pytest.fixture
def make_course() -> Callable[..., OdbCourse]:
    def build(**overrides: Any) -> OdbCourse:
        return OdbCourse.model_validate(_merge(COURSE, overrides))

    return build
