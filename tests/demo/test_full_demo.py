"""The README's main job, ``brug demo``, as a real process: simulators, gateway, outage, audit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_full_demo_delivers_everything_accepted_and_verifies_the_audit(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "demo",
            "--count",
            "300",
            "--outage",
            "3",
            "--mutations",
            "40",
            "--workdir",
            str(tmp_path / "demo"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in out + result.stderr
    assert "delivered to the Brussels simulator" in out
    assert "audit chain verified" in out
    assert "VOK candidates found" in out
    assert "crosswalk.unknown-course" in out
    # every worker is gone: no process of the demo is left behind
    leftovers = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "demo")], capture_output=True, text=True, check=False
    )
    assert leftovers.stdout.strip() == ""
