"""The demo's processes: a dev PKI, two partner simulators and the gateway, all on loopback.

Each runs as a real process (``python -m gateway ...``) so that the demo shows what a deployment
does: signed SOAP over sockets, a durable store on disk, a delivery worker that survives a partner
outage. Everything lives in one working directory the demo prints, so a newcomer can look at the
configuration, the database and the logs afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from adapters.simulation.process import RunningProcess, free_port, start_simulator
from gateway.wssecurity.pki import PkiLayout, init_pki

DEMO_CLIENT = "wse-vov-backend"
READY_TIMEOUT = 60.0


def demo_config(
    workdir: Path,
    pki: PkiLayout,
    port: int,
    brussels: str,
    federal: str,
    store_url: str | None = None,
    metrics_port: int | None = None,
) -> str:
    """The brug.toml of the demo: loopback partners, SQLite store (unless ``store_url``), the
    flanders dev identity; metrics on ``127.0.0.1:metrics_port`` (none without one)."""
    metrics = f"127.0.0.1:{metrics_port}" if metrics_port is not None else ""
    base = f"http://127.0.0.1:{port}"
    store = store_url or f"sqlite:///{workdir / 'brug.db'}"
    p = pki.root
    return f"""# Written by `brug demo`: a development configuration on loopback.
[server]
host = "127.0.0.1"
port = {port}

[store]
url = "{store}"

[metrics]
listen = "{metrics}"

[pki]
key = "{p / "flanders.key"}"
cert = "{p / "flanders.pem"}"
trust = ["{p / "ca.pem"}"]

[partners.brussels]
url = "{brussels}"
wsse_profile = "strict"
pinned_cert = "{p / "brussels.pem"}"
operations = ["ReceiveBevRecord", "GetBevRecord"]
inbound_operations = ["SubmitBevRecord", "LookupOdbCourse", "GetMessageStatus"]
purposes = [
    "BEV_TRANSFER", "BEV-VOV-MOBILITY", "BEV_DELIVERY", "BEV_LOOKUP", "ODB_LOOKUP", "MESSAGE_STATUS"
]
timeout = "5s"

[partners.brussels.retry]
max_attempts = 40
max_age = "1h"
backoff_base = "500ms"
backoff_max = "4s"

[partners.brussels.circuit_breaker]
threshold = 5
cool_down = "2s"

[partners.federal]
url = "{federal}"
wsse_profile = "ksz"
pinned_cert = "{p / "federal.pem"}"
operations = ["GetCareerBreaks"]
inbound_operations = ["PushCareerBreakMutation", "GetMessageStatus"]
purposes = ["VOK_AUTOMATION", "CAREER_BREAK_MUTATION", "MESSAGE_STATUS"]
timeout = "5s"

[clients.{DEMO_CLIENT}]
description = "the demo's Flemish backend (flanders dev key)"
public_key = "{p / "flanders.pem"}"
scopes = ["vov:read", "vov:write", "odb:read", "odb:write", "vok:read"]

[auth]
token_url = "{base}/oauth2/token"
audience = "brug"

[logging]
level = "INFO"
json = true

[audit]
insz_hash_key = "demo-only-insz-hash-key-0123456789abcdef"

[rules]
# The demo runs on the shipped sample crosswalk and code table (docs/rules.md).
allow_sample_data = true
"""


@dataclass
class DemoStack:
    workdir: Path
    pki: PkiLayout = field(init=False)
    brussels: RunningProcess = field(init=False)
    federal: RunningProcess = field(init=False)
    gateway: subprocess.Popen[bytes] = field(init=False)
    gateway_url: str = field(init=False)
    metrics_url: str = field(init=False)  # the gateway's metrics listener (``[metrics] listen``)
    config_path: Path = field(init=False)
    store_url: str | None = None  # default: SQLite in the work directory
    gateway_workers: int = 1  # `brug serve --workers` (more than one needs PostgreSQL)
    delivery: bool = True  # False: `brug serve --no-delivery` (intake only; benchmarks)

    def __enter__(self) -> DemoStack:
        self.workdir = self.workdir.resolve()  # the config names absolute paths
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.pki = init_pki(self.workdir / "pki")
        gateway_cert = self.pki["flanders"].cert
        self.brussels = start_simulator(
            "brussels",
            free_port(),
            self.pki.root,
            self.workdir / "brussels-sim.db",
            gateway_cert=gateway_cert,
            log_path=self.workdir / "brussels-sim.log",
        )
        try:
            self.federal = start_simulator(
                "federal",
                free_port(),
                self.pki.root,
                gateway_cert=gateway_cert,
                extra_args=["--workers", "3000", "--seed", "2025", "--feed-size", "600"],
                log_path=self.workdir / "federal-sim.log",
            )
            port, metrics_port = free_port(), free_port()
            self.gateway_url = f"http://127.0.0.1:{port}"
            self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
            self.config_path = self.workdir / "brug.toml"
            self.config_path.write_text(
                demo_config(
                    self.workdir,
                    self.pki,
                    port,
                    self.brussels.service_url,
                    self.federal.service_url,
                    self.store_url,
                    metrics_port=metrics_port,
                )
            )
            self._start_gateway()
        except BaseException:
            self.close()
            raise
        return self

    def _start_gateway(self) -> None:
        log = (self.workdir / "gateway.log").open("wb")
        env = {**os.environ, "BRUG_CONFIG": str(self.config_path)}
        self.gateway = subprocess.Popen(
            [
                *(sys.executable, "-m", "gateway", "serve", "--workers", str(self.gateway_workers)),
                "--delivery" if self.delivery else "--no-delivery",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.gateway.poll() is not None:
                raise RuntimeError(
                    f"the gateway exited with {self.gateway.returncode}; "
                    f"see {self.workdir / 'gateway.log'}"
                )
            try:
                if httpx.get(f"{self.gateway_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the gateway did not start; see {self.workdir / 'gateway.log'}")

    def close(self) -> None:
        gateway = getattr(self, "gateway", None)
        if gateway is not None and gateway.poll() is None:
            gateway.terminate()
            try:
                gateway.wait(10)
            except subprocess.TimeoutExpired:
                gateway.kill()
        for name in ("federal", "brussels"):
            sim = getattr(self, name, None)
            if sim is not None:
                sim.stop()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
