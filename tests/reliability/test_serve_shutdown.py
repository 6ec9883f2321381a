"""``brug serve`` stopped with SIGTERM writes its last log lines (background logging).

uvicorn ends a graceful shutdown by raising the caught SIGTERM again, which ends the process
without running ``atexit``: the log writer thread is therefore stopped by the application's
shutdown, and what uvicorn logs after that is written directly.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest

from adapters.simulation.process import free_port
from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import GatewayProcess, gateways, write_config

pytestmark = pytest.mark.slow


@pytest.mark.timeout(120)
def test_sigterm_after_traffic_keeps_every_log_line_to_the_last(
    workdir: Path, pki: PkiLayout
) -> None:
    port = free_port()
    config = write_config(workdir, pki, port, "http://127.0.0.1:9/unused")
    for attempt in range(3):  # a lost line shows up within a few stops (it is a race)
        log_path = workdir / f"gateway-{attempt}.log"
        gateway = GatewayProcess(config, port, log_path)
        with gateways(gateway):
            gateway.start()
            with httpx.Client(base_url=gateway.url, timeout=10) as client:
                for _ in range(40):
                    assert client.get("/healthz").status_code == 200
            assert gateway.process is not None
            gateway.process.send_signal(signal.SIGTERM)
            returncode = gateway.process.wait(30)
        assert returncode in (0, -signal.SIGTERM), returncode
        messages = [
            json.loads(line)["message"]
            for line in log_path.read_text(encoding="utf-8").splitlines()
            if line.startswith("{")
        ]
        assert any(m.startswith("GET /healthz") for m in messages)
        assert messages[-2:] == [
            "Application shutdown complete.",
            f"Finished server process [{gateway.process.pid}]",
        ], messages[-5:]
