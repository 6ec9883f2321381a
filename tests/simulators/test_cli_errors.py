"""``brug simulate`` with bad files: one ``error:`` line naming the file, exit 2, no traceback
(the simulator is a real process, so it is run as one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from adapters.simulation.process import free_port
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import pki  # noqa: F401 - pytest fixture


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "simulate", *args, "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("kind", ["brussels", "federal"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--pki", "{empty}"), "--pki holds no ca.pem: is it a directory made by `brug pki init`?"),
        (("--pki", "{pki}", "--gateway-cert", "{not_pem}"), "--gateway-cert is not a PEM"),
        (("--pki", "{pki}", "--tls-cert", "{not_pem}", "--tls-key", "{key}"), "--tls-cert is not"),
        (("--pki", "{pki}", "--tls-cert", "{other}", "--tls-key", "{key}"), "does not belong"),
        (("--pki", "{pki}", "--tls-key", "{key}"), "--tls-cert and --tls-key go together"),
        (("--pki", "{pki}", "--client-ca", "{ca}"), "--client-ca needs --tls-cert"),
    ],
)
def test_bad_files_are_one_error_line(
    tmp_path: Path,
    pki: PkiLayout,  # noqa: F811
    kind: str,
    args: tuple[str, ...],
    message: str,
) -> None:
    (tmp_path / "empty").mkdir()
    not_pem = tmp_path / "gateway.pem"
    not_pem.write_text("not a certificate\n")
    party = "brussels" if kind == "brussels" else "federal"
    files = {
        "empty": tmp_path / "empty",
        "pki": pki.root,
        "not_pem": not_pem,
        "key": pki[party].key,
        "other": pki["flanders"].cert,
        "ca": pki.ca_cert,
    }
    run = simulate(kind, *(a.format(**files) for a in args))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert message in lines[0]
