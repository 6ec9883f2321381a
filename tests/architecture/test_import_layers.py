"""The import graph points one way: ``lint-imports`` keeps every contract in pyproject.toml.

``make imports`` runs the same check before the test suite; this test makes a broken contract
visible in a plain pytest run too, with import-linter's explanation (which import, which chain)
as the failure message.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> str | None:
    """The venv's own ``lint-imports`` (the one ``make imports`` runs), else one on PATH."""
    beside_python = Path(sys.executable).with_name("lint-imports")
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("lint-imports")


def test_import_contracts_are_kept() -> None:
    executable = _lint_imports()
    if executable is None:
        pytest.skip("lint-imports not installed: import-linter comes with pip install -e '.[dev]'")
    result = subprocess.run(
        [executable, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"import contracts broken:\n{result.stdout}{result.stderr}"
    assert "0 broken" in result.stdout
