"""Real processes for the reliability tests: gateways (``python -m gateway serve``), the
Brussels simulator, a backend client over sockets, and PostgreSQL databases to switch off.

Nothing here mocks: a gateway is the production entry point with a brug.toml written like the
demo's (:func:`gateway.demo.stack.demo_config`), a killed gateway is ``SIGKILL``, a database
outage is PostgreSQL refusing connections. Every wait is bounded and says what it waited for.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adapters.simulation.process import RunningProcess, free_port, start_simulator
from gateway.auth import CLIENT_ASSERTION_TYPE
from gateway.auth.assertion import make_client_assertion
from gateway.config import load_settings
from gateway.delivery import Outbox, OutboxStatus
from gateway.demo.sample import generate
from gateway.demo.stack import DEMO_CLIENT, demo_config
from gateway.service.app import create_app
from gateway.service.context import GatewayContext, build_context
from gateway.service.rest.resources import record_json, rest_json
from gateway.store import Store
from gateway.wssecurity.pki import PkiLayout
from tests.support.store import DEFAULT_ADMIN_URL, PG_URL_ENV

#: Nothing listens on the discard port: the federal partner is configured but never called.
UNUSED_FEDERAL = "http://127.0.0.1:9/services/GeefLoopbaanonderbrekingen/v1"
ADMIN_SCOPES = "vov:read vov:write outbox:admin"
READY_TIMEOUT = 60.0
#: The delivery lease of the gateways these tests start: short, so that a killed instance's
#: messages come back quickly (the default is 60 s).
LEASE = timedelta(seconds=10)


# -- waiting ---------------------------------------------------------------------------------


def wait_until(
    predicate: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.25
) -> float:
    """Poll ``predicate`` until true; return the seconds waited, fail the test on timeout."""
    started = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def leftover_processes(root: Path) -> list[str]:
    """Processes whose command line names ``root`` (gateways and simulators started here)."""
    found = subprocess.run(
        ["pgrep", "-af", str(root)], capture_output=True, text=True, check=False
    ).stdout
    own = str(os.getpid())
    return [line for line in found.splitlines() if line and line.split()[0] != own]


# -- PostgreSQL ------------------------------------------------------------------------------


def admin_url() -> str:
    return os.environ.get(PG_URL_ENV, DEFAULT_ADMIN_URL)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh database ``brug_rel_<hex>`` (skip when PostgreSQL is unreachable), dropped
    afterwards even if a test left it refusing connections."""
    name = f"brug_rel_{secrets.token_hex(4)}"
    admin = create_engine(
        admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable server: skip, as tests.support.store does
        admin.dispose()
        pytest.skip(f"PostgreSQL unreachable at {admin_url()}: {str(exc).splitlines()[0]}")
    try:
        yield make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def set_connections(url: str, *, allowed: bool) -> None:
    """Switch a database off for everyone (new connections refused, existing ones terminated),
    as a stopped or unreachable server looks to the gateway; or back on."""
    name = make_url(url).database
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
            if not allowed:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
    finally:
        admin.dispose()


# -- the gateway as a process ---------------------------------------------------------------


def write_config(
    workdir: Path,
    pki: PkiLayout,
    port: int,
    brussels_url: str,
    *,
    store_url: str | None = None,
    name: str = "brug",
    metrics_port: int | None = None,
) -> Path:
    """The demo's brug.toml, with another store when given and ``outbox:admin`` for the
    client; named after ``name`` so several instances can share a directory; metrics on
    ``127.0.0.1:metrics_port`` when given (none otherwise: instances would share a port)."""
    config = demo_config(
        workdir, pki, port, brussels_url, UNUSED_FEDERAL, metrics_port=metrics_port
    )
    if store_url is not None:
        config = config.replace(f'url = "sqlite:///{workdir / "brug.db"}"', f'url = "{store_url}"')
    config = config.replace('"vok:read"]', '"vok:read", "outbox:admin"]')
    config += f'\n[delivery]\nlease = "{int(LEASE.total_seconds())}s"\n'

    path = workdir / f"{name}.toml"
    path.write_text(config, encoding="utf-8")
    return path


@dataclass
class GatewayProcess:
    """``python -m gateway serve --config PATH`` (the config path puts the work directory on
    the command line, which is what :func:`leftover_processes` looks for)."""

    config: Path
    port: int
    log_path: Path
    extra_args: tuple[str, ...] = ()  # more `serve` options, e.g. ("--workers", "2")
    #: the CA of a gateway serving TLS (its certificate names localhost); None: plain HTTP
    ca: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        if self.ca is not None:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GatewayProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "gateway", "serve", "--config", str(self.config)),
                    *self.extra_args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.process.returncode}:\n{self.tail()}")
            try:
                verify = True if self.ca is None else ssl.create_default_context(cafile=self.ca)
                if httpx.get(f"{self.url}/healthz", verify=verify, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gateway did not answer /healthz in {READY_TIMEOUT}s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, the delivery thread dies mid-batch."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def tail(self, lines: int = 40) -> str:
        try:
            content = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(content.splitlines()[-lines:])


@contextmanager
def gateways(*instances: GatewayProcess) -> Iterator[tuple[GatewayProcess, ...]]:
    """Stop every instance on the way out, whatever happened (killed ones are already gone)."""
    try:
        yield instances
    finally:
        for instance in instances:
            instance.stop()


# -- a Flemish backend over the socket --------------------------------------------------------


class Backend:
    """Token (private_key_jwt) and the REST calls the tests make, against one gateway."""

    def __init__(
        self,
        url: str,
        pki: PkiLayout,
        scopes: str = ADMIN_SCOPES,
        *,
        metrics_url: str | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.url = url
        self.metrics_url = metrics_url
        self.http = httpx.Client(base_url=url, timeout=120, verify=verify)
        self._key = pki["flanders"].key.read_bytes()
        self._scopes = scopes
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def token(self) -> str:
        if self._token is None:
            assertion = make_client_assertion(DEMO_CLIENT, self._key, f"{self.url}/oauth2/token")
            answer = self.http.post(
                "/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": CLIENT_ASSERTION_TYPE,
                    "client_assertion": assertion,
                    "scope": self._scopes,
                },
            )
            answer.raise_for_status()
            self._token = str(answer.json()["access_token"])
        return self._token

    def bulk(self, lines: Iterable[bytes], key: str | None = None) -> list[dict[str, Any]]:
        headers = {
            "Authorization": f"Bearer {self.token()}",
            "Idempotency-Key": key or str(uuid.uuid4()),
            "Content-Type": "application/x-ndjson",
        }
        answer = self.http.post(
            "/v1/vov-registrations/bulk", content=b"".join(lines), headers=headers
        )
        answer.raise_for_status()
        return [json.loads(line) for line in answer.text.splitlines() if line.strip()]

    def outbox(self, **query: str | int) -> dict[str, Any]:
        answer = self.http.get(
            "/v1/outbox", params=query, headers={"Authorization": f"Bearer {self.token()}"}
        )
        answer.raise_for_status()
        return dict(answer.json())

    def metric(self, name: str, *, having: str = "") -> float:
        """Sum of the samples of a metric family (whose labels contain ``having``) on the
        gateway's metrics listener."""
        assert self.metrics_url is not None, "the gateway was configured without metrics"
        return metric_sum(self.http.get(self.metrics_url).text, name, having)


def metric_sum(exposition: str, name: str, having: str = "") -> float:
    """Sum of the samples of ``name`` in a Prometheus text exposition (labels with ``having``)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in exposition.splitlines()
        if (line.startswith(name + "{") or line.startswith(name + " ")) and having in line
    )


def sample_lines(count: int, *, seed: int = 2025) -> list[bytes]:
    """NDJSON lines of the demo's sample (some invalid, some Flemish), each with its course."""
    sample = generate(count, seed=seed)
    return [
        json.dumps(
            {
                "registration": rest_json(item.registration),
                "course": record_json(sample.courses[item.odb_number]),
            }
        ).encode()
        + b"\n"
        for item in sample.items
    ]


def accepted_ids(results: Iterable[dict[str, Any]]) -> list[str]:
    return [str(r["messageId"]) for r in results if r.get("status") == "accepted"]


# -- what happened ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerView:
    """What the Brussels simulator saw: requests and stored records per message id."""

    requests: dict[str, int]
    stored: dict[str, int]

    @property
    def stored_total(self) -> int:
        return sum(self.stored.values())

    def sent_more_than_once(self, ids: Iterable[str]) -> list[str]:
        return [m for m in ids if self.requests.get(m, 0) > 1]


def partner_view(sim: RunningProcess) -> PartnerView:
    snap = sim.received()
    return PartnerView(
        requests={str(k): int(v) for k, v in snap["by_message_id"].items()},
        stored={str(k): int(v) for k, v in snap["stored"]["by_message_id"].items()},
    )


def stored_total(sim: RunningProcess) -> int:
    return int(sim.received()["stored"]["total"])


def outbox_counts(store_url: str) -> dict[str, int]:
    """Entries per status, read straight from the store (not through a gateway)."""
    store = Store(store_url)
    try:
        return {s.value: n for s, n in Outbox(store).counts().items()}
    finally:
        store.dispose()


def unfinished(store_url: str) -> int:
    counts = outbox_counts(store_url)
    return counts[OutboxStatus.PENDING.value] + counts[OutboxStatus.IN_FLIGHT.value]


# -- the gateway in this process (for tests that need the store in hand) -----------------------


@contextmanager
def in_process_gateway(
    workdir: Path,
    pki: PkiLayout,
    brussels_url: str,
    *,
    store_url: str | None = None,
    delivery: bool = False,
) -> Iterator[tuple[GatewayContext, TestClient]]:
    """``create_app(build_context(...))`` from the same brug.toml as the processes, behind a
    TestClient that reports a 500 as a response (the tests assert there is none)."""
    config = write_config(workdir, pki, free_port(), brussels_url, store_url=store_url)
    context = build_context(load_settings(config))
    try:
        app = create_app(context, delivery=delivery)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield context, client
    finally:
        context.close()


def bearer(
    client: TestClient, context: GatewayContext, pki: PkiLayout, scopes: str
) -> dict[str, str]:
    """Authorization header for the demo client holding ``scopes`` (from the token endpoint)."""
    token_url = str(context.settings.auth.token_url)
    assertion = make_client_assertion(DEMO_CLIENT, pki["flanders"].key.read_bytes(), token_url)
    answer = client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scopes,
        },
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def brussels_submissions(count: int, *, seed: int = 5) -> list[bytes]:
    """``count`` valid single-registration bodies for a Brussels unit, course embedded."""
    sample = generate(count * 3 + 20, seed=seed)
    bodies = [
        json.dumps(
            {
                **rest_json(item.registration),
                "course": record_json(sample.courses[item.odb_number]),
            }
        ).encode()
        for item in sample.items
        if item.defect is None and item.registration["establishment_unit"]["region"] == "brussels"
    ]
    assert len(bodies) >= count
    return bodies[:count]


def submit(client: TestClient, headers: dict[str, str], body: bytes) -> Response:
    """``POST /v1/vov-registrations`` with a fresh Idempotency-Key."""
    answer: Response = client.post(
        "/v1/vov-registrations",
        content=body,
        headers={
            **headers,
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json",
        },
    )
    return answer


def brussels_simulator(workdir: Path, pki: PkiLayout) -> RunningProcess:
    """The Brussels simulator as its own process, storing in ``workdir`` (use it with ``with``)."""
    return start_simulator(
        "brussels",
        free_port(),
        pki.root,
        workdir / "brussels.db",
        gateway_cert=pki["flanders"].cert,
        log_path=workdir / "brussels.log",
    )
