"""The README's "The CLI" commands, run as written from the repository root (issue 14: the
``brug vok check`` example must print an ELIGIBLE decision, the ``brug vov check`` one too)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cli_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## The CLI", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


COMMANDS = _cli_commands()


def test_the_block_holds_the_decisions() -> None:
    assert any(c.startswith("brug vok check") for c in COMMANDS)
    assert any(c.startswith("brug vov check") for c in COMMANDS)
    assert any(c.startswith("brug rules check") for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_cli_command_runs_as_written(command: str) -> None:
    argv = shlex.split(command)
    assert argv[0] == "brug"
    done = subprocess.run(
        [sys.executable, "-m", "gateway", *argv[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    if argv[1] in {"vok", "vov"}:
        assert "ELIGIBLE" in done.stdout and "NOT ELIGIBLE" not in done.stdout
        assert "provisional" in done.stdout  # sample codes / assumed figures say so


def _blocks(path: Path, language: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [part.split("```", 1)[0] for part in text.split(f"```{language}\n")[1:]]


RULES_DOC = ROOT / "docs" / "rules.md"
RULES_COMMANDS = [
    line.strip()
    for block in _blocks(RULES_DOC, "sh")
    for line in block.splitlines()
    if line.strip().startswith("brug ")
]


@pytest.mark.parametrize("command", RULES_COMMANDS)
def test_rules_doc_commands_run_as_written(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", *shlex.split(command)[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_rules_doc_python_runs_as_written() -> None:
    (block,) = _blocks(RULES_DOC, "python")
    exec(compile(block, str(RULES_DOC), "exec"), {})


def test_rules_doc_toml_examples_parse() -> None:
    import tomllib

    for block in _blocks(RULES_DOC, "toml"):
        tomllib.loads(block)
