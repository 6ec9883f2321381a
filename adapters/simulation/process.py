"""Start and stop a simulator as a real subprocess (``python -m gateway simulate ...``).

Tests and the demo run the simulators as separate processes, not threads: the gateway then
talks to them over real sockets, a simulator that is stopped refuses connections like a
crashed partner, and nothing shares memory with the code under test.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

Kind = Literal["brussels", "federal"]
LOOPBACK = "127.0.0.1"
SERVICE_PATHS: dict[str, str] = {
    "brussels": "/services/bev/v1",
    "federal": "/services/GeefLoopbaanonderbrekingen/v1",
}


def free_port() -> int:
    """A TCP port free on loopback right now (the OS picks it; a small race is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class SimulatorTls:
    """Serve the simulator over HTTPS (``--tls-cert/--tls-key``), with mutual TLS if
    ``client_ca`` is given (``--client-ca``: clients must present a certificate it signed).

    The launcher's own calls (health, ``/_admin``) trust ``ca`` and, under mutual TLS, present
    ``admin_cert``/``admin_key``; with the dev PKI: ``ca.pem`` and ``flanders.pem``/``.key``.
    """

    cert: Path
    key: Path
    ca: Path
    client_ca: Path | None = None
    admin_cert: Path | None = None
    admin_key: Path | None = None

    def args(self) -> list[str]:
        args = ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
        if self.client_ca is not None:
            args += ["--client-ca", str(self.client_ca)]
        return args

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca))
        if self.admin_cert is not None:
            context.load_cert_chain(
                str(self.admin_cert), str(self.admin_key) if self.admin_key else None
            )
        return context


def dev_tls(pki_dir: Path | str, party: str, *, mutual: bool = True) -> SimulatorTls:
    """TLS for a simulator from the dev PKI (``brug pki init``): ``party``'s certificate."""
    root = Path(pki_dir)
    return SimulatorTls(
        cert=root / f"{party}.pem",
        key=root / f"{party}.key",
        ca=root / "ca.pem",
        client_ca=root / "ca.pem" if mutual else None,
        admin_cert=root / "flanders.pem" if mutual else None,
        admin_key=root / "flanders.key" if mutual else None,
    )


class SimulatorStartError(RuntimeError):
    """The simulator process exited or did not answer its health check in time."""


class SimulatorExitedError(RuntimeError):
    """A simulator that had started is no longer running (its admin API refused the call)."""


@dataclass
class RunningProcess:
    """A started simulator: its process, URLs and a few admin shortcuts."""

    kind: str
    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path
    tls: SimulatorTls | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{LOOPBACK}:{self.port}"

    def http_verify(self) -> ssl.SSLContext | bool:
        """What the launcher's own HTTP calls to this simulator pass as httpx's ``verify``."""
        return self.tls.client_context() if self.tls is not None else True

    @property
    def service_url(self) -> str:
        return self.base_url + SERVICE_PATHS[self.kind]

    @property
    def wsdl_url(self) -> str:
        return self.service_url + "?wsdl"

    def admin(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call ``/_admin/<path>`` and return the decoded JSON.

        A refused connection from a simulator whose process has ended is reported as
        :class:`SimulatorExitedError` with its exit status and the end of its log: "connection
        refused" alone does not tell a crashed simulator from a wrong port.
        """
        try:
            response = httpx.request(
                method,
                f"{self.base_url}/_admin/{path.lstrip('/')}",
                json=body,
                timeout=5.0,
                verify=self.http_verify(),
            )
        except httpx.TransportError as exc:
            returncode = self.process.poll()
            if returncode is not None:
                raise SimulatorExitedError(
                    f"{self.kind} simulator (pid {self.pid}, port {self.port}) exited with "
                    f"{returncode}; last lines of {self.log_path}:\n{self.log_tail()}"
                ) from exc
            raise
        response.raise_for_status()
        return response.json()

    def set_faults(self, **settings: Any) -> Any:
        return self.admin("POST", "faults", settings)

    def clear_faults(self) -> Any:
        return self.admin("DELETE", "faults")

    def received(self, message_id: str | None = None) -> Any:
        suffix = f"?message_id={message_id}" if message_id else ""
        return self.admin("GET", "received" + suffix)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate this process (only this one), killing it if it does not stop in time."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def __enter__(self) -> RunningProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_simulator(
    kind: Kind,
    port: int,
    pki_dir: Path | str,
    db_path: Path | str | None = None,
    *,
    gateway_cert: Path | str | None = None,
    extra_args: Sequence[str] = (),
    log_path: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    startup_timeout: float = 20.0,
    tls: SimulatorTls | None = None,
) -> RunningProcess:
    """Launch ``python -m gateway simulate KIND`` and wait until ``/_admin/health`` answers.

    With ``tls`` the simulator serves HTTPS (and mutual TLS if ``tls.client_ca`` is set).
    """
    args = [sys.executable, "-m", "gateway", "simulate", kind, "--port", str(port)]
    args += ["--pki", str(pki_dir)]
    if db_path is not None:
        args += ["--db", str(db_path)]
    if gateway_cert is not None:
        args += ["--gateway-cert", str(gateway_cert)]
    if tls is not None:
        args += tls.args()
    args += list(extra_args)
    log = Path(log_path) if log_path is not None else Path(pki_dir) / f"simulator-{kind}-{port}.log"
    environment = {**os.environ, **(env or {})}
    with log.open("wb") as sink:  # the child keeps its own handle; no pipe to fill up
        process = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, env=environment)
    running = RunningProcess(kind, port, process, log, tls)
    verify = running.http_verify()
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SimulatorStartError(
                f"{kind} simulator exited with {process.returncode}:\n{running.log_tail()}"
            )
        try:
            health = httpx.get(f"{running.base_url}/_admin/health", timeout=1.0, verify=verify)
            if health.status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    running.stop()
    raise SimulatorStartError(f"{kind} simulator did not answer within {startup_timeout}s")
