"""The CLI end to end: real files in, exit codes and outputs checked, no traceback ever."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.xml import schemas
from gateway.xml.safe_parser import parse_xml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_vov_to_bev_json_has_record_and_report() -> None:
    code, out, _ = run(
        "map",
        "vov-to-bev",
        "--vov",
        str(EXAMPLES / "vov-registration-mover.json"),
        "--course",
        str(EXAMPLES / "odb-course.xml"),
    )
    assert code == 0
    payload = json.loads(out)
    record = payload["record"]
    assert record["establishment_unit"]["region"] == "brussels"
    assert record["hours_already_used"] == "40.00"
    assert payload["report"]["findings"]
    assert {f["kind"] for f in payload["report"]["findings"]} <= {
        "recomputed",
        "flagged",
        "carried",
        "not-applicable",
        "dropped",
    }


@pytest.mark.parametrize("version", ["1", "2", None])
def test_vov_to_bev_xml_is_valid_against_its_xsd(version: str | None) -> None:
    args = [
        "map",
        "vov-to-bev",
        "--vov",
        str(EXAMPLES / "vov-registration-brussels.xml"),
        "--course",
        str(EXAMPLES / "odb-course.json"),
        "--format",
        "xml",
    ]
    if version:
        args += ["--bev-version", version]
    code, out, err = run(*args)
    if version == "1":
        # the crosswalk gives a French title: v1 cannot carry its language, so it refuses
        assert code == 2
        assert "bev.v1.field-not-carried" in err
        return
    assert code == 0
    root = parse_xml(out.encode())
    schemas.validate(schemas.detect(root), root)
    assert schemas.detect(root) == "bev-record-v2"


def test_route_violation_exit_2() -> None:
    code, out, err = run(
        "map",
        "vov-to-bev",
        "--vov",
        str(EXAMPLES / "vov-registration-flanders.json"),
        "--course",
        str(EXAMPLES / "odb-course.json"),
    )
    assert code == 2
    assert "route.not-brussels" in err
    assert out == ""


def test_every_violation_listed_for_a_bad_file() -> None:
    code, _, err = run(
        "map",
        "vov-to-bev",
        "--vov",
        str(EXAMPLES / "invalid" / "bad-insz.json"),
        "--course",
        str(EXAMPLES / "invalid" / "bad-kbo.json"),
    )
    assert code == 2
    assert "insz.checksum" in err or "kbo.checksum" in err


def test_missing_file_is_exit_2() -> None:
    code, _, err = run("map", "bev-to-vov", "/nonexistent/file.xml")
    assert code == 2
    assert "file.unreadable" in err


def test_bev_to_vov_carries_brussels_hours() -> None:
    code, out, _ = run("map", "bev-to-vov", str(EXAMPLES / "bev-record-v1.xml"))
    assert code == 0
    record = json.loads(out)["record"]
    assert any(p["region"] == "brussels" for p in record["prior_use"])


def test_bev_to_vov_xml_valid() -> None:
    code, out, _ = run("map", "bev-to-vov", str(EXAMPLES / "bev-record-v2.xml"), "--format", "xml")
    assert code == 0
    schemas.validate("vov-registration-v1", parse_xml(out.encode()))


def test_vok_check_eligible_and_not() -> None:
    common = ["vok", "check", "--career-breaks", str(EXAMPLES / "career-breaks.xml")]
    code, out, _ = run(
        *common,
        "--course",
        str(EXAMPLES / "odb-course-vok.json"),
        "--begin",
        "2025-09-01",
        "--end",
        "2026-02-28",
        "--education-level",
        "medium",
        "--json",
    )
    assert code == 0
    decision = json.loads(out)
    assert decision["eligible"] is True
    assert decision["reduction"] == "half"
    code, out, _ = run(*common, "--course", str(EXAMPLES / "odb-course.json"), "--json")
    assert code == 0
    decision = json.loads(out)
    assert decision["eligible"] is False
    failed = {c["rule"] for c in decision["checks"] if not c["passed"]}
    assert "vok.course-volume" in failed


def test_vok_bad_date_exit_2() -> None:
    code, _, err = run(
        "vok",
        "check",
        "--career-breaks",
        str(EXAMPLES / "career-breaks.xml"),
        "--course",
        str(EXAMPLES / "odb-course.json"),
        "--begin",
        "2025-13-01",
    )
    assert code == 2
    assert "type.date" in err


def test_validate_valid_invalid_and_unknown_schema() -> None:
    assert run("validate", "bev-record-v1", str(EXAMPLES / "bev-record-v1.xml"))[0] == 0
    code, _, err = run(
        "validate", "bev-record-v2", str(EXAMPLES / "invalid/bev-v2-removed-reason.xml")
    )
    assert code == 2
    assert "xsd." in err
    code, _, err = run("validate", "vov-registration-v1", str(EXAMPLES / "invalid/bad-insz.xml"))
    assert code == 2
    assert "insz.checksum" in err
    code, _, err = run("validate", "no-such-schema", str(EXAMPLES / "bev-record-v1.xml"))
    assert code == 2
    assert "schema.unknown" in err


@pytest.mark.parametrize("name", ["malformed.xml", "doctype-entity.xml", "schema-invalid.xml"])
def test_validate_refuses_bad_xml(name: str) -> None:
    code, _, err = run("validate", "vov-registration-v1", str(EXAMPLES / "invalid" / name))
    assert code == 2
    assert "xml." in err or "xsd." in err


def test_schemas_lists_every_catalog_entry() -> None:
    code, out, _ = run("schemas")
    assert code == 0
    for info in schemas.list_schemas():
        assert info.name in out


def test_offline_demo_runs_as_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "demo", "--offline", "--count", "300"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "mapped to BEV" in result.stdout
    assert "crosswalk.unknown-course" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("schema", "name", "what"),
    [
        ("vov-registration-v1", "vov-registration-brussels.json", "JSON VOV registration"),
        ("odb-course-v1", "odb-course.json", "JSON ODB course"),
        ("bev-record-v2", "bev-record.json", "JSON BEV record"),
        ("career-break-v1", "career-breaks.json", "JSON career-break answer"),
        ("career-break-v1", "career-break-query.json", "JSON career-break query"),
        ("career-break-v1", "career-break-mutation.json", "career-break mutations"),
        ("vov-registration-v1", "vov-registration-brussels.xml", "<vovRegistrationMessage>"),
    ],
)
def test_validate_takes_json_or_xml_as_the_readme_says(schema: str, name: str, what: str) -> None:
    code, out, err = run("validate", schema, str(EXAMPLES / name))
    assert code == 0, err
    assert what in " ".join(out.split())


def test_validate_json_lists_the_violations_under_the_common_header() -> None:
    code, _, err = run("validate", "vov-registration-v1", str(EXAMPLES / "invalid/bad-insz.json"))
    assert code == 2
    assert err.splitlines()[0] == "error: invalid VOV registration (bad-insz.json):"
    assert "insz.checksum" in err
    code, _, err = run("validate", "header-v1", str(EXAMPLES / "odb-course.json"))
    assert code == 2
    assert "json.no-model" in err and "XML only" in err


@pytest.mark.parametrize(
    ("args", "header"),
    [
        (
            ("map", "vov-to-bev", "--vov", "invalid/bad-insz.json", "--course", "odb-course.json"),
            "error: invalid VOV registration (bad-insz.json):",
        ),
        (
            ("validate", "vov-registration-v1", "invalid/schema-invalid.xml"),
            "error: invalid vov-registration-v1 document (schema-invalid.xml):",
        ),
        (("map", "bev-to-vov", "/nonexistent/gone.xml"), "error: invalid input file (gone.xml):"),
        (
            ("map", "bev-to-vov", "invalid/bad-kbo.xml"),
            "error: invalid BEV record (bad-kbo.xml):",
        ),
    ],
)
def test_error_headers_name_what_and_the_file(args: tuple[str, ...], header: str) -> None:
    resolved = [
        str(EXAMPLES / a) if a.endswith((".json", ".xml")) and not a.startswith("/") else a
        for a in args
    ]
    code, _, err = run(*resolved)
    assert code == 2
    assert err.splitlines()[0] == header, err
    assert "VovRegistration" not in err and "BevRecord" not in err


def test_pki_init_refusal_is_an_error_line(tmp_path: Path) -> None:
    assert run("pki", "init", str(tmp_path))[0] == 0
    code, _, err = run("pki", "init", str(tmp_path))
    assert code == 2
    assert err.startswith(f"error: {tmp_path} already holds a PKI")


def test_help_texts_carry_no_markup() -> None:
    import click
    from typer.main import get_command

    def paths(command: click.Command, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [prefix]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += paths(sub, (*prefix, name))
        return found

    for path in paths(get_command(app), ()):
        code, out, _ = run(*path, "--help")
        assert code == 0, path
        for markup in ("``", ":func:", ":class:", "[red]", "[green]"):
            assert markup not in out, (path, markup)


def test_demo_that_cannot_start_is_an_error_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "demo", "--workdir", str(blocker / "demo")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: the demo could not start ({blocker / 'demo'}): ")


def test_schema_diff_bad_input_is_an_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    code, _, err = run("conformance", "schema-diff", str(bad), str(bad))
    assert code == 2
    assert err.startswith("error: ") and "x.json" in err
