"""pydantic errors become brug violations: every field, a rule name, and no full INSZ."""

from __future__ import annotations

import pytest

from gateway.errors import BrugValidationError, Violation
from gateway.models import Worker
from gateway.models.header import MessageHeader
from gateway.validation import parse_model, parse_model_json


def test_every_violation_listed_with_rules() -> None:
    with pytest.raises(BrugValidationError) as info:
        parse_model(Worker, {"insz": "85073003329", "education_level": "phd", "extra": 1})
    rules = {v.path: v.rule for v in info.value.violations}
    assert rules["insz"] == "insz.checksum"
    assert rules["education_level"] == "type.enum"
    assert rules["extra"] == "type.extra_forbidden"


def test_insz_value_masked_in_violation() -> None:
    with pytest.raises(BrugValidationError) as info:
        parse_model(Worker, {"insz": "85073003329"})
    shown = info.value.violations[0].value
    assert shown is not None and "85073003329" not in shown
    assert "85073003329" not in str(info.value)


def test_malformed_json_is_a_violation() -> None:
    with pytest.raises(BrugValidationError) as info:
        parse_model_json(Worker, b"{not json")
    assert info.value.violations[0].rule == "json.well-formed"


def test_nested_paths() -> None:
    with pytest.raises(BrugValidationError) as info:
        parse_model(
            MessageHeader,
            {
                "message_id": "not-a-uuid",
                "timestamp": "2025-01-01T00:00:00",
                "sender": {"code": "Flanders"},
                "recipient": {"code": "brussels-bee", "kbo": "0403170702"},
                "purpose": "VOV",
            },
        )
    paths = {v.path for v in info.value.violations}
    assert {"message_id", "timestamp", "sender.code", "recipient.kbo"} <= paths


def test_error_needs_violations_and_serialises() -> None:
    with pytest.raises(ValueError):
        BrugValidationError([])
    err = BrugValidationError([Violation("a", "r", "m", "v")], context="x")
    assert [v.as_dict() for v in err.violations] == [
        {"path": "a", "rule": "r", "message": "m", "value": "v"}
    ]
    assert str(err) == "invalid x: a: [r] m (value: v)"
