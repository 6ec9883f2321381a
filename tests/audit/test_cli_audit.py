"""``brug audit``: exit 0 on an intact chain, 1 naming the first tampered entry, 2 on misuse."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from gateway.cli import app
from gateway.store import Store
from tests.audit.helpers import fill, pem
from tests.support.store import FakeClock

runner = CliRunner()


def test_verify_export_and_checkpoint(
    store: Store, store_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    key = pem()
    key_file = tmp_path / "gateway-key.pem"
    key_file.write_bytes(key)
    fill(store, key, 7, every=5)
    ok = runner.invoke(app, ["audit", "verify", "--url", store_url, "--public-key", str(key_file)])
    assert ok.exit_code == 0, ok.output
    assert "intact: 7 entries, 1 checkpoints" in ok.output

    signed = runner.invoke(app, ["audit", "checkpoint", "--url", store_url, "--key", str(key_file)])
    assert signed.exit_code == 0 and "checkpoint at entry 7" in signed.output

    out = tmp_path / "export.json"
    day = clock().date().isoformat()
    exported = runner.invoke(
        app,
        [
            "audit",
            "export",
            "--url",
            store_url,
            "--from",
            day,
            "--to",
            (clock() + timedelta(days=1)).date().isoformat(),
            "-o",
            str(out),
        ],
    )
    assert exported.exit_code == 0, exported.output
    assert len(json.loads(out.read_text())["entries"]) == 7
    checked = runner.invoke(
        app, ["audit", "verify-export", str(out), "--public-key", str(key_file)]
    )
    assert checked.exit_code == 0 and "anchored at checkpoint 7" in checked.output

    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET digest = 'f' WHERE seq = 3"))
        conn.execute(text("DELETE FROM audit_log WHERE seq = 6"))
    bad = runner.invoke(app, ["audit", "verify", "--url", store_url, "--public-key", str(key_file)])
    assert bad.exit_code == 1
    assert "first problem at entry 3: edited" in bad.output


def test_misuse_exits_2(store_url: str, store: Store, tmp_path: Path) -> None:
    not_a_key = tmp_path / "key.pem"
    not_a_key.write_text("hello")
    for args in (
        ["audit", "verify", "--url", store_url, "--public-key", str(not_a_key)],
        ["audit", "export", "--url", store_url, "--from", "yesterday", "--to", "2026-01-01"],
        ["audit", "export", "--url", store_url, "--from", "2026-02-01", "--to", "2026-01-01"],
        ["audit", "checkpoint", "--url", store_url, "--key", str(tmp_path / "missing.pem")],
        ["audit", "verify-export", str(not_a_key), "--public-key", str(not_a_key)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
