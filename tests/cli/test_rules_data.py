"""``brug rules check`` and ``brug serve``'s refusal of sample data (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.simulation.process import free_port
from gateway.cli import app
from gateway.demo.stack import demo_config
from gateway.wssecurity.pki import init_pki

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("path", "kind", "status"),
    [
        ("gateway/rules/data/vov.toml", "rule data (vov)", "confirmed"),
        ("gateway/rules/data/bev.toml", "rule data (bev)", "confirmed"),
        ("gateway/rules/data/vok.toml", "rule data (vok)", "confirmed"),
        ("adapters/federal/data/codes.toml", "federal code table", "sample"),
        ("adapters/brussels/data/crosswalk.csv", "crosswalk", "sample"),
    ],
)
def test_every_shipped_file_checks_and_says_what_it_is(path: str, kind: str, status: str) -> None:
    code, out, _ = run("rules", "check", str(ROOT / path), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["kind"] == kind and summary["status"] == status
    assert summary["source"] and summary["valid_from"]


def test_shipped_rule_files_carry_assumptions_as_assumed() -> None:
    summary = json.loads(
        run("rules", "check", str(ROOT / "gateway/rules/data/bev.toml"), "--json")[1]
    )
    assert summary["entries"] == {"assumed": 6, "confirmed": 5}


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (  # a confirmed figure with an open end: how figures got stretched past their source
            '[[flat_rate_eur]]\nfrom = "2024-2025"\nsource = "x"\nvalue = "1"\n',
            {"rules.open-validity"},
        ),
        (
            '[[flat_rate_eur]]\nfrom = "2024-2025"\nto = "2025-2026"\nsource = "x"\nvalue = "1"\n'
            '[[flat_rate_eur]]\nfrom = "2025-2026"\nto = "2025-2026"\nsource = "x"\nvalue = "2"\n',
            {"rules.overlap"},
        ),
        (
            '[[flat_rate_eur]]\nfrom = "2024-2025"\nstatus = "assumed"\nsource = "x"\n'
            'value = "1"\n',
            {"rules.assumption-missing"},
        ),
        (
            '[[flat_rate_eur]]\nfrom = "2030-2031"\nto = "2030-2031"\nsource = "x"\nvalue = "1"\n',
            {"rules.outside-coverage"},
        ),
        (
            '[[flat_rate_eur]]\nfrom = "2025-2026"\nto = "2024-2025"\nsource = "x"\nvalue = "1"\n',
            {"value_error"},
        ),
    ],
)
def test_bad_rule_files_name_each_violation(tmp_path: Path, text: str, rules: set[str]) -> None:
    path = tmp_path / "bev-layer.toml"
    path.write_text(
        'scheme = "bev"\nversion = "t"\nsource = "test"\nstatus = "confirmed"\n'
        'coverage = { from = "2024-2025", to = "2026-2027" }\n' + text,
        encoding="utf-8",
    )
    code, _, err = run("rules", "check", str(path))
    assert code == 2
    assert {r for r in rules if r in err} == rules, err


def test_unconfirmed_entries_may_overlap(tmp_path: Path) -> None:
    path = tmp_path / "vov-layer.toml"
    path.write_text(
        'scheme = "vov"\nversion = "t"\nsource = "test"\nstatus = "unconfirmed"\n'
        '[[flat_rate_eur]]\nfrom = "2025-2026"\nsource = "announced"\nvalue = "14.91"\n'
        '[[flat_rate_eur]]\nfrom = "2026-2027"\nsource = "announced"\nvalue = "14.00"\n',
        encoding="utf-8",
    )
    assert run("rules", "check", str(path))[0] == 0


def test_a_file_without_status_or_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text('scheme = "vov"\nversion = "t"\n', encoding="utf-8")
    code, _, err = run("rules", "check", str(path))
    assert code == 2 and "status" in err and "source" in err


def test_crosswalk_without_metadata_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "crosswalk.csv"
    path.write_text(
        "odb_number,recognition_reference,course_type,raised_cap_reason,provider_recognised\n"
        "CE-100001,BEE-2024-00001,language,,true\n",
        encoding="utf-8",
    )
    code, _, err = run("rules", "check", str(path))
    assert code == 2
    assert err.count("crosswalk.metadata") == 3  # status, source, valid_from


def test_code_table_needs_status_source_and_validity(tmp_path: Path) -> None:
    path = tmp_path / "codes.toml"
    path.write_text('version = "x"\n[reasons]\n"5" = { training = true }\n', encoding="utf-8")
    code, _, err = run("rules", "check", str(path))
    assert code == 2
    for name in ("status", "source", "valid_from", "categories"):
        assert name in err


def test_an_unknown_file_kind(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    code, _, err = run("rules", "check", str(path))
    assert code == 2 and "rules.file-kind" in err


def _serve(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_serve_refuses_sample_data_unless_allowed(tmp_path: Path) -> None:
    pki = init_pki(tmp_path / "pki")
    text = demo_config(tmp_path, pki, free_port(), "http://127.0.0.1:9/a", "http://127.0.0.1:9/b")
    assert "allow_sample_data = true" in text  # the demo allows it explicitly
    config = tmp_path / "brug.toml"
    config.write_text(text.replace("allow_sample_data = true", "allow_sample_data = false"))
    refused = _serve(config)
    assert refused.returncode == 2
    for path in ("rules.crosswalk", "rules.codes", "rules.allow_sample_data"):
        assert path in refused.stderr
    assert "rules.sample-data" in refused.stderr

    # the real files replace the samples ([rules] crosswalk / codes): nothing sample is loaded
    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_text(
        "# status: confirmed\n# source: BEE export (test)\n# valid_from: 2023-09-01\n"
        + (ROOT / "adapters/brussels/data/crosswalk.csv").read_text().split("\n", 4)[4],
        encoding="utf-8",
    )
    codes = tmp_path / "codes.toml"
    codes.write_text(
        (ROOT / "adapters/federal/data/codes.toml")
        .read_text()
        .replace('status = "sample"', 'status = "confirmed"'),
        encoding="utf-8",
    )
    real = text.replace(
        "allow_sample_data = true",
        f'allow_sample_data = false\ncrosswalk = ["{crosswalk}"]\ncodes = "{codes}"',
    )
    config.write_text(real)
    code, _, err = run("rules", "check", str(crosswalk))
    assert code == 0, err
    from gateway.config import load_settings
    from gateway.service.context import build_context
    from gateway.service.sample_data import refuse_sample_data

    settings = load_settings(config)
    context = build_context(settings)
    try:
        refuse_sample_data(settings.rules, context)  # no exception: nothing sample is loaded
        assert len(context.crosswalk) == 21 and context.codes.status == "confirmed"
    finally:
        context.store.dispose()


def test_map_vov_to_bev_recomputes_with_the_brussels_fraction() -> None:
    examples = ROOT / "examples"
    common = [
        "map",
        "vov-to-bev",
        "--vov",
        str(examples / "vov-registration-brussels.json"),
        "--course",
        str(examples / "odb-course.json"),
    ]
    code, out, _ = run(*common, "--bev-fraction", "0.5000", "--bev-reference-month", "2025-09")
    assert code == 0
    payload = json.loads(out)
    assert payload["record"]["employment"] == {"fraction": "0.5000", "reference_month": "2025-09"}
    assert payload["record"]["hours_cap"] == "90.00"  # 180 h (bottleneck) x 0.5
    (finding,) = [
        f for f in payload["report"]["findings"] if f["field"] == "registration.employment"
    ]
    assert finding["kind"] == "recomputed"
    assert payload["report"]["provisional"]  # sample crosswalk row, carried BEV figures
    code, _, err = run(*common, "--bev-fraction", "0.5000")
    assert code == 2 and "option.required-together" in err
    code, _, err = run(*common, "--bev-fraction", "2", "--bev-reference-month", "2025-09")
    assert code == 2 and "fraction" in err


def test_vov_check_cli(tmp_path: Path) -> None:
    examples = ROOT / "examples"
    common = [
        "vov",
        "check",
        "--vov",
        str(examples / "vov-registration-flanders.json"),
        "--course",
        str(examples / "odb-course.json"),
    ]
    code, out, _ = run(
        *common, "--format", "json", "--attended-hours", "60", "--filed-on", "2026-01-01"
    )
    assert code == 0
    decision = json.loads(out)
    failed = {c["rule"] for c in decision["checks"] if not c["passed"]}
    assert failed == {"vov.refund-window"}  # window 2025-06-15..2025-12-15
    code, out, _ = run(*common, "--format", "json", "--monthly-wage", "5000.00")
    assert json.loads(out)["wage_kept_month_eur"] == "3714.00"  # 2025-26 wage cap
    code, _, err = run(*common, "--attended-hours", "lots", "--filed-on", "2026-13-01")
    assert code == 2 and "type.decimal" in err and "type.date" in err


def test_vok_check_worked_before(tmp_path: Path) -> None:
    examples = ROOT / "examples"
    common = [
        "vok",
        "check",
        "--career-breaks",
        str(examples / "career-breaks.xml"),
        "--course",
        str(examples / "odb-course-vok.json"),
        "--json",
    ]
    code, out, _ = run(*common, "--worked-before", "0.8")
    assert code == 0
    assert json.loads(out)["months"][0]["monthly_premium_eur"] == "312.24"  # half, >= 75 %
    code, out, _ = run(*common, "--worked-before", "0.6")
    assert code == 0
    decision = json.loads(out)
    assert decision["eligible"] is False
    assert {c["rule"] for c in decision["months"][0]["failed"]} == {"vok.previous-work"}
    code, _, err = run(*common, "--worked-before", "1.5")
    assert code == 2 and "type.fraction" in err
