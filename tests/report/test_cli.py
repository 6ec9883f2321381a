"""``brug report evaluation`` as a real process on a seeded SQLite store: the commands of
docs/evaluation.md as written, the configured threshold, --threshold 4/5/6, clear errors."""

from __future__ import annotations

import csv
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.store.database import Store
from tests.report.seed import seed

ROOT = Path(__file__).resolve().parents[2]


def brug(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory holding var/demo/brug.db (seeded) and var/demo/brug.toml, as after
    ``make demo`` (the configuration names the store and a threshold of 6)."""
    (tmp_path / "var" / "demo").mkdir(parents=True)
    store = Store(f"sqlite:///{tmp_path / 'var' / 'demo' / 'brug.db'}")
    store.upgrade()
    seed(store)
    store.dispose()
    (tmp_path / "var" / "demo" / "brug.toml").write_text(
        '[store]\nurl = "sqlite:///var/demo/brug.db"\n\n'
        '[pki]\nkey = "missing.key"\ncert = "missing.pem"\ntrust = ["ca.pem"]\n\n'
        '[audit]\ninsz_hash_key = "test-only-key-0123456789abcdef"\n\n'
        "[report]\nsuppression_threshold = 6\n",
        encoding="utf-8",
    )
    return tmp_path


def doc_commands() -> list[str]:
    """The ``brug report evaluation`` lines of docs/evaluation.md's shell blocks."""
    text = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith("brug report evaluation")
    ]


def test_the_documented_commands_run_as_written(workdir: Path) -> None:
    commands = doc_commands()
    assert len(commands) >= 3
    for command in commands:
        args = shlex.split(command)[1:]
        result = brug(*args, cwd=workdir)
        assert result.returncode == 0, command + "\n" + result.stderr
    rows = list(csv.DictReader((workdir / "var/report/evaluation-2025-2026.csv").open()))
    refused = [r for r in rows if r["table"] == "refusalsByRule" and r["row"] == "course.unknown"]
    assert refused[0]["value"] == "6"
    page = (workdir / "var/report/evaluation-2025-2026.html").read_text(encoding="utf-8")
    assert "<svg" in page and 'class="hidden"' in page


def test_the_configured_threshold_applies(workdir: Path) -> None:
    result = brug(
        "report",
        "evaluation",
        "--school-year",
        "2025-2026",
        "--config",
        "var/demo/brug.toml",
        "--format",
        "json",
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["suppression"]["threshold"] == 6
    rules = next(t for t in report["tables"] if t["key"] == "refusalsByRule")
    assert rules["rows"][0]["values"]["count"] == 6  # 6 is not below 6


@pytest.mark.parametrize(("threshold", "shown"), [(4, 5), (5, 5), (6, "<6")])
def test_threshold_four_five_six(workdir: Path, threshold: int, shown: object) -> None:
    """The language transfers are 5: shown at 4 and 5, hidden at 6."""
    result = brug(
        "report",
        "evaluation",
        "--school-year",
        "2025-2026",
        "--url",
        "sqlite:///var/demo/brug.db",
        "--format",
        "json",
        "--threshold",
        str(threshold),
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    types = next(t for t in report["tables"] if t["key"] == "transfersByCourseType")
    language = next(r for r in types["rows"] if r["label"] == "language")["values"]
    assert language["count"] == shown
    if shown == "<6":
        assert language["hoursClaimable"] == "x"  # hours of a hidden count are hidden too
    dead = next(t for t in report["tables"] if t["key"] == "deadLetters")
    assert dead["rows"][0]["values"]["count"] == f"<{threshold}"  # one dead letter


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--school-year", "2025/2026"), "school-year.format"),
        (("--school-year", "2025-2026", "--url", "sqlite:///nowhere.db"), "no SQLite database"),
        (("--school-year", "2025-2026", "--threshold", "0"), "--threshold"),
    ],
)
def test_bad_input_is_exit_2_with_the_reason(
    workdir: Path, args: tuple[str, ...], message: str
) -> None:
    result = brug("report", "evaluation", *args, cwd=workdir)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
