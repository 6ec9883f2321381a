"""The README's main job, ``brug demo``, as a real process: simulators, gateway, outage, audit."""

from __future__ import annotations

import json
import re
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
    # the demo ends with its run's evaluation report: figures beside the summary's, offline
    report_dir = tmp_path / "demo" / "report"
    assert str(report_dir / "evaluation-2025-2026.html") in out.replace("\n", "")
    accepted = int(re.search(r"accepted and queued durably for Brussels\s*│\s*(\d+)", out)[1])  # type: ignore[index]
    report = json.loads((report_dir / "evaluation-2025-2026.json").read_text(encoding="utf-8"))
    status = next(t for t in report["tables"] if t["key"] == "transfersByStatus")
    delivered = next(r for r in status["rows"] if r["label"] == "delivered")
    assert delivered["values"]["count"] == accepted
    took = float(re.search(r"figures in ([0-9.]+) s", out)[1])  # type: ignore[index]
    assert took < 1.0
    page = (report_dir / "evaluation-2025-2026.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 5 and 'class="hidden"' in page  # charts, suppressed cells
    for fetch in ("<script", "<link", 'src="', 'href="http', "url(http"):
        assert fetch not in page
    # every worker is gone: no process of the demo is left behind
    leftovers = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "demo")], capture_output=True, text=True, check=False
    )
    assert leftovers.stdout.strip() == ""
