"""``brug serve`` as a person and as a supervisor see it: a human line on a terminal (a real
pseudo-terminal), JSON log lines only (no colour codes) through a pipe."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from adapters.simulation.process import free_port
from gateway.cli.serve import startup_line
from gateway.demo.stack import demo_config
from gateway.wssecurity.pki import init_pki

pytestmark = pytest.mark.slow


def _config(tmp_path: Path) -> tuple[Path, int]:
    pki = init_pki(tmp_path / "pki")
    port = free_port()
    config = tmp_path / "brug.toml"
    # partners that are not running: serving does not need them
    config.write_text(
        demo_config(tmp_path, pki, port, "http://127.0.0.1:9/a", "http://127.0.0.1:9/b")
    )
    return config, port


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def test_on_a_terminal_serve_says_where_it_listens_and_where_the_docs_are(
    tmp_path: Path,
) -> None:
    config, port = _config(tmp_path)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"API docs" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(leader, 4096)
                except OSError:  # the process ended: the pty is closed
                    break
    finally:
        _stop(process)
        os.close(leader)
    text = seen.decode(errors="replace")
    assert f"brug listening on http://localhost:{port}" in text, text
    assert f"API docs http://localhost:{port}/docs" in text


def test_through_a_pipe_serve_writes_json_log_lines_only_without_colour_codes(
    tmp_path: Path,
) -> None:
    config, port = _config(tmp_path)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
    finally:
        _stop(process)
    assert "brug listening" not in out.read_text() + err.read_text()
    lines = [line for line in (out.read_text() + err.read_text()).splitlines() if line]
    assert any("uvicorn" in line for line in lines)
    for line in lines:
        record = json.loads(line)  # every line is one JSON object
        assert "\x1b[" not in json.dumps(record, ensure_ascii=False), line
        assert "color_message" not in record


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("127.0.0.1", 8443, True, 1, True), "brug listening on https://localhost:8443: "),
        (("0.0.0.0", 80, False, 2, False), "http://0.0.0.0:80 (all interfaces)"),
        (("::1", 8443, True, 1, True), "https://[::1]:8443/docs"),
        (("0.0.0.0", 80, False, 2, False), "2 worker processes, no delivery worker"),
    ],
)
def test_startup_line(args: tuple[str, int, bool, int, bool], expected: str) -> None:
    assert expected in startup_line(*args)


def test_startup_line_names_the_metrics_listener() -> None:
    line = startup_line("127.0.0.1", 8443, True, 1, True, metrics="127.0.0.1:9464")
    assert "metrics http://127.0.0.1:9464/metrics" in line
    assert "no metrics listener" in startup_line("127.0.0.1", 8443, True, 1, True)
