"""``brug serve --workers N`` refuses console operators without a shared session key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gateway.wssecurity.pki import PkiLayout
from tests.service.console.conftest import write_config

#: Never reached: the refusal comes before the store is opened.
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def serve(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_several_workers_need_a_shared_session_key(tmp_path: Path, pki: PkiLayout) -> None:
    run = serve(write_config(tmp_path, pki, PG_URL), "--workers", "2")
    assert run.returncode == 2
    assert "needs [console] session_key (BRUG_CONSOLE__SESSION_KEY)" in run.stderr
