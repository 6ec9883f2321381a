"""Every shell block of the README and ``docs/`` is run by a test, as written.

The blocks are found by reading the Markdown (```` ```sh ````), not listed by hand: a new block
without a test fails :func:`test_every_shell_block_is_run_by_a_test`. Each block is either run
here (the CLI blocks, in a fresh copy of the example files, with the exit code the README
promises), or named with the test that runs it against real processes (the gateway over TLS,
the demo, the interop peers). A named test must exist: the registry cannot point at nothing.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class RunHere:
    """Run each command line of the block here; ``exits`` maps a command's start to its code."""

    exits: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class RunBy:
    """The block is run by this test (``path::function``), against real processes."""

    test: str
    why: str = ""


# (document, first line of the block) -> how it is run
COVERAGE: dict[tuple[str, str], RunHere | RunBy] = {
    ("README.md", "make demo"): RunBy(
        "tests/demo/test_full_demo.py::test_full_demo_delivers_everything_accepted_and_verifies_the_audit",
        "`make demo` is `brug demo` in a fresh venv; `make test` is what CI itself runs",
    ),
    ("README.md", "brug conformance list"): RunHere(
        exits=(("brug conformance schema-diff", 1),)  # v1 -> v2 is a breaking change
    ),
    ("README.md", "brug pki init var/pki"): RunBy(
        "tests/production/test_readme_gateway.py::test_a_registration_posted_as_the_readme_says_is_delivered_to_brussels",
        "the whole path on fresh ports, over TLS, to a registration delivered",
    ),
    ("README.md", "brug schemas"): RunHere(),
    ("docs/rules.md", "brug rules check"): RunHere(),
    ("docs/evaluation.md", "brug report evaluation --school-year"): RunBy(
        "tests/report/test_cli.py::test_the_documented_commands_run_as_written",
        "run in a store seeded like the demo's, at the paths `make demo` leaves",
    ),
    ("docs/interop.md", ".ci/install-peers.sh"): RunBy(
        "tests/interop/test_wss4j.py::test_wss4j_bench_reports_rates",
        "`make test` runs .ci/install-peers.sh and tests/interop; the bench script by this test",
    ),
    ("docs/operations.md", "# The assertion"): RunBy(
        "tests/production/test_readme_gateway.py::test_the_token_and_registration_curls_of_operations_md_run_as_written"
    ),
    ("docs/operations.md", "# examples/brug.toml registers"): RunBy(
        "tests/production/test_readme_gateway.py::test_the_mutual_tls_curl_of_operations_md_runs_as_written"
    ),
    ("docs/operations.md", "curl http://127.0.0.1:9464/metrics"): RunBy(
        "tests/production/test_readme_gateway.py::test_the_metrics_curl_of_operations_md_runs_as_written"
    ),
    ("docs/rest-api.md", "# examples/ holds canonical records"): RunBy(
        "tests/production/test_readme_gateway.py::test_the_curls_of_rest_api_md_run_as_written"
    ),
    ("docs/rest-api.md", "ASSERTION=$(python -c"): RunBy(
        "tests/production/test_readme_gateway.py::test_the_curls_of_rest_api_md_run_as_written"
    ),
    ("docs/rest-api.md", "# one line per registration"): RunBy(
        "tests/production/test_readme_gateway.py::test_the_curls_of_rest_api_md_run_as_written"
    ),
}

# The README's conformance block names a partner's address as a template; the same options run
# against the README's gateway over mutual TLS.
TEMPLATES = {
    "brug conformance run --target https://partner.example/soap": (
        "tests/production/test_readme_gateway.py::"
        "test_the_conformance_suite_passes_against_the_gateway_over_mutual_tls"
    ),
}


def shell_blocks() -> list[tuple[str, str, str]]:
    """(document, first line, block) for every ```sh block of the README and docs/."""
    found = []
    for path in DOCUMENTS:
        for match in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            block = match.group(1)
            found.append((str(path.relative_to(ROOT)), block.splitlines()[0], block))
    return found


def _covering(document: str, first: str) -> RunHere | RunBy | None:
    for (doc, start), how in COVERAGE.items():
        if doc == document and first.startswith(start):
            return how
    return None


def _test_exists(node: str) -> bool:
    path, _, name = node.partition("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def commands(block: str) -> list[str]:
    """The block's commands: comments dropped, ``\\`` continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", block)
    found = []
    for line in joined.splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command and not command.startswith("#"):
            found.append(command)
    return found


def test_every_shell_block_is_run_by_a_test() -> None:
    blocks = shell_blocks()
    assert len(blocks) >= 10  # the reader found them
    missing = [(doc, first) for doc, first, _ in blocks if _covering(doc, first) is None]
    assert not missing, f"shell blocks no test runs (add them to COVERAGE): {missing}"
    for how in (*COVERAGE.values(), *(RunBy(t) for t in TEMPLATES.values())):
        if isinstance(how, RunBy):
            assert _test_exists(how.test), f"no such test: {how.test}"
    written = [c for _, _, block in blocks for c in commands(block)]
    for start in TEMPLATES:
        assert any(c.startswith(start) for c in written), f"template no longer in the docs: {start}"


def _template(command: str) -> str | None:
    return next((test for start, test in TEMPLATES.items() if command.startswith(start)), None)


RUN_HERE = [
    (how, command)
    for doc, first, block in shell_blocks()
    for how in [_covering(doc, first)]
    if isinstance(how, RunHere)
    for command in commands(block)
    if _template(command) is None  # run with real values by the test TEMPLATES names
]


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a reader has after a clone: the example inputs and schemas, nothing made yet."""
    work = tmp_path_factory.mktemp("reader")
    for folder in ("examples", "schemas"):
        shutil.copytree(ROOT / folder, work / folder)
    return work


@pytest.mark.parametrize(("how", "command"), RUN_HERE, ids=[c for _, c in RUN_HERE])
def test_the_cli_commands_run_as_written(how: RunHere, command: str, fresh_copy: Path) -> None:
    expected = next((code for start, code in how.exits if command.startswith(start)), 0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRUG_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=fresh_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == expected, f"{command}\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stdout + run.stderr
