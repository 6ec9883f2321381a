"""``brug conformance schema-diff``: exit codes, JSON output, bad input without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from tests.conformance.schema_diff.conftest import EXAMPLES, PAIRS, SCHEMAS

runner = CliRunner()
BEV_V1 = str(SCHEMAS / "brussels" / "bev-record-v1.xsd")
BEV_V2 = str(SCHEMAS / "brussels" / "bev-record-v2.xsd")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["conformance", "schema-diff", *args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


def test_bev_json_output_and_exit_1_at_backward() -> None:
    code, out, _ = run(BEV_V1, BEV_V2, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["level"] == "BACKWARD" and data["compatible"] is False
    assert data["overall"] == "NONE"
    assert {c["kind"] for c in data["changes"]} == {
        "namespace-changed",
        "added-optional",
        "enumeration-value-removed",
    }
    change = next(c for c in data["changes"] if c["kind"] == "enumeration-value-removed")
    assert change["path"] == "messageCongeEducation/dossier/motifPlafondMajore"
    assert (change["backward"], change["forward"], change["compatibility"]) == (
        False,
        True,
        "FORWARD",
    )
    assert change["producers"] and change["consumers"]


@pytest.mark.parametrize(
    ("pair", "level", "expected"),
    [
        ("optional-element-added", "BACKWARD", 0),
        ("optional-element-added", "forward", 1),  # case-insensitive
        ("optional-element-added", "FULL", 1),
        ("optional-element-added", "NONE", 0),
        ("enumeration", "BACKWARD", 1),
        ("attribute-under-wildcard", "FULL", 0),
    ],
)
def test_exit_code_follows_the_level(pair: str, level: str, expected: int) -> None:
    folder = PAIRS / pair
    code, _, _ = run(str(folder / "old.xsd"), str(folder / "new.xsd"), "--level", level)
    assert code == expected


def test_identical_schemas_exit_0_with_no_changes() -> None:
    code, out, _ = run(BEV_V2, BEV_V2, "--level", "FULL", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["changes"] == [] and data["verdict"].startswith("no changes")


def test_text_output_has_the_table_and_a_verdict_line() -> None:
    code, out, _ = run(BEV_V1, BEV_V2)
    assert code == 1
    for word in ("change", "path", "BACKWARD?", "FORWARD?", "effect", "langueIntitule"):
        assert word in out
    last = out.strip().splitlines()
    assert any(line.startswith("verdict: BREAKING at BACKWARD") for line in last[-4:])


def test_golden_failure_listed_and_exit_1() -> None:
    code, out, _ = run(BEV_V1, BEV_V2, "--golden", str(EXAMPLES), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert [Path(g["file"]).name for g in data["golden"]] == ["bev-record-v1.xml"]
    assert data["golden"][0]["fails"] is True


def test_golden_failures_count_for_backward_only(tmp_path: Path) -> None:
    # occurs: a is 0..5 in OLD, 1..3 in NEW; an OLD message without any a fails under NEW
    (tmp_path / "no-a.xml").write_text('<root xmlns="urn:test:pair:1"/>')
    (tmp_path / "two-a.xml").write_text('<root xmlns="urn:test:pair:1"><a>x</a><a>y</a></root>')
    (tmp_path / "other.xml").write_text('<root xmlns="urn:somewhere:else"/>')
    folder = PAIRS / "occurs"
    old, new = str(folder / "old.xsd"), str(folder / "new.xsd")
    code, out, _ = run(old, new, "--golden", str(tmp_path), "--format", "json")
    assert code == 1
    golden = {Path(g["file"]).name: g["fails"] for g in json.loads(out)["golden"]}
    assert golden == {"no-a.xml": True, "two-a.xml": False}
    code, _, _ = run(old, new, "--golden", str(tmp_path), "--level", "FORWARD")
    assert code == 0


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (PAIRS / "malformed" / "broken.xsd", PAIRS / "occurs" / "new.xsd", "not well-formed"),
        (PAIRS / "occurs" / "old.xsd", PAIRS / "malformed" / "invalid.xsd", "not a valid XML"),
        (PAIRS / "occurs" / "old.xsd", PAIRS / "does-not-exist.xsd", "no such file"),
        (PAIRS / "occurs" / "old.xsd", PAIRS / "wsdl" / "new.wsdl", "cannot compare"),
        (PAIRS / "openapi" / "old.json", EXAMPLES / "bev-record.json", "not an OpenAPI 3.x"),
        (PAIRS / "occurs" / "old.xsd", EXAMPLES / "bev-record-v1.xml", "neither an XML Schema"),
    ],
)
def test_bad_input_exits_2_with_a_message(old: Path, new: Path, message: str) -> None:
    code, out, err = run(str(old), str(new))
    assert code == 2
    assert message in err
    assert out == ""


def test_golden_with_wsdl_is_bad_input() -> None:
    wsdl = str(PAIRS / "wsdl" / "old.wsdl")
    code, _, err = run(wsdl, wsdl, "--golden", str(EXAMPLES))
    assert code == 2 and "--golden needs XSD" in err


def test_unknown_level_is_a_usage_error() -> None:
    code, _, _ = run(BEV_V1, BEV_V2, "--level", "SIDEWAYS")
    assert code == 2


def test_run_command_is_registered_in_the_same_group() -> None:
    result = runner.invoke(app, ["conformance", "--help"])
    assert result.exit_code == 0
    assert "schema-diff" in result.stdout and "run" in result.stdout


def test_remote_import_is_not_fetched_but_reported(tmp_path: Path) -> None:
    schema = (PAIRS / "optional-element-added" / "old.xsd").read_text()
    remote = '<xs:import namespace="urn:x" schemaLocation="http://example.invalid/x.xsd"/>'
    schema = schema.replace(
        'elementFormDefault="qualified">', f'elementFormDefault="qualified">{remote}'
    )
    (tmp_path / "remote.xsd").write_text(schema)
    code, out, _ = run(
        str(tmp_path / "remote.xsd"), str(tmp_path / "remote.xsd"), "--format", "json"
    )
    assert code == 0
    warnings = json.loads(out)["warnings"]
    assert any("not fetched" in w for w in warnings)
    assert any("validity unchecked" in w for w in warnings)
