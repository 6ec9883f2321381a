"""The README's "Running the gateway", as an operator follows it, over TLS.

In a fresh directory holding a copy of ``examples/``: ``brug pki init var/pki``, the two
simulators, ``brug serve --config examples/brug.toml`` (TLS and client CA as the example
configures them), all real processes on loopback. Only the ports are changed (the README's
8443/8081/8082 may be taken on a shared machine), by rewriting them in the copied brug.toml; the
partner paths are the example's own, so a path that does not match the simulators fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509

from adapters.simulation.process import RunningProcess, free_port, start_simulator
from gateway.auth import CLIENT_ASSERTION_TYPE
from gateway.auth.assertion import make_client_assertion

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLIENT = "wse-vov-backend"  # the REST client examples/brug.toml configures


def brug(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Deployment:
    workdir: Path
    port: int
    brussels: RunningProcess
    federal: RunningProcess
    gateway: subprocess.Popen[bytes]
    metrics_port: int

    @property
    def pki(self) -> Path:
        return self.workdir / "var" / "pki"

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=_trusting(self.pki / "ca.pem"), timeout=30)

    def token(self, client: httpx.Client, scope: str) -> str:
        assertion = make_client_assertion(
            CLIENT, (self.pki / "flanders.key").read_bytes(), f"{self.url}/oauth2/token"
        )
        answer = client.post(
            "/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": assertion,
                "scope": scope,
            },
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


def _trusting(ca: Path) -> ssl.SSLContext:
    """What ``curl --cacert ca.pem`` trusts."""
    return ssl.create_default_context(cafile=str(ca))


def _wait_for_gateway(process: subprocess.Popen[bytes], url: str, ca: Path, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"brug serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", verify=_trusting(ca), timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"brug serve did not answer:\n{log.read_text()}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    work = tmp_path_factory.mktemp("operator")
    shutil.copytree(ROOT / "examples", work / "examples")
    gateway_port, brussels_port, federal_port = free_port(), free_port(), free_port()
    metrics_port = free_port()
    config = work / "examples" / "brug.toml"
    text = config.read_text(encoding="utf-8")
    ports = ((8443, gateway_port), (8081, brussels_port), (8082, federal_port))
    for old, new in (*ports, (9464, metrics_port)):
        assert f":{old}" in text or f"= {old}" in text
        text = text.replace(f":{old}", f":{new}").replace(f"port = {old}", f"port = {new}")
    config.write_text(text, encoding="utf-8")

    made = brug("pki", "init", "var/pki", cwd=work)
    assert made.returncode == 0, made.stderr
    pki = work / "var" / "pki"
    # brug simulate brussels --port 8081 --pki var/pki --gateway-cert var/pki/flanders.pem
    brussels = start_simulator(
        "brussels",
        brussels_port,
        pki,
        gateway_cert=pki / "flanders.pem",
        log_path=work / "brussels.log",
    )
    federal = start_simulator(
        "federal",
        federal_port,
        pki,
        gateway_cert=pki / "flanders.pem",
        log_path=work / "federal.log",
    )
    log = work / "gateway.log"
    with log.open("wb") as sink:
        gateway = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--config", "examples/brug.toml"],
            cwd=work,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("BRUG_")},
        )
    try:
        _wait_for_gateway(gateway, f"https://localhost:{gateway_port}", pki / "ca.pem", log)
        yield Deployment(work, gateway_port, brussels, federal, gateway, metrics_port)
    finally:
        gateway.terminate()
        try:
            gateway.wait(10)
        except subprocess.TimeoutExpired:
            gateway.kill()
        federal.stop()
        brussels.stop()


def test_dev_certificates_name_the_loopback_addresses(deployment: Deployment) -> None:
    cert = x509.load_pem_x509_certificate((deployment.pki / "flanders.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"flanders.brug.test", "localhost"} <= set(names.get_values_for_type(x509.DNSName))
    assert {str(a) for a in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    ca = _trusting(deployment.pki / "ca.pem")
    # what `curl --cacert var/pki/ca.pem https://localhost:8443/healthz` does
    for host in ("localhost", "127.0.0.1"):
        answer = httpx.get(f"https://{host}:{deployment.port}/healthz", verify=ca)
        assert answer.json()["status"] == "ok"


def test_readyz_probes_both_simulators_for_real(deployment: Deployment) -> None:
    with deployment.client() as client:
        body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["checks"]["partner:brussels"] == {"ok": True, "detail": "ok"}
    assert body["checks"]["partner:federal"] == {"ok": True, "detail": "ok"}


def _load(deployment: Deployment, name: str) -> Any:
    return json.loads((deployment.workdir / "examples" / name).read_text(encoding="utf-8"))


def _message_id(body: dict[str, Any]) -> str:
    return str(body.get("message_id") or body.get("messageId"))


def test_a_registration_posted_as_the_readme_says_is_delivered_to_brussels(
    deployment: Deployment,
) -> None:
    registration = _load(deployment, "vov-registration-brussels.json")
    registration["course"] = _load(deployment, "odb-course.json")
    with deployment.client() as client:
        headers = {
            "Authorization": f"Bearer {deployment.token(client, 'vov:read vov:write')}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        accepted = client.post("/v1/vov-registrations", json=registration, headers=headers)
        assert accepted.status_code == 202, accepted.text
        message_id = _message_id(accepted.json())
        deadline = time.monotonic() + 30
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = client.get(f"/v1/messages/{message_id}", headers=headers).json()
            if status.get("status") in ("delivered", "dead"):
                break
            time.sleep(0.2)
    assert status.get("status") == "delivered", status
    stored = deployment.brussels.received(message_id)
    assert json.dumps(stored).count(message_id) >= 1, stored


def _load_course(deployment: Deployment) -> None:
    """The gateway's LookupOdbCourse cases need the example course in the catalogue."""
    course = _load(deployment, "odb-course.json")
    with deployment.client() as client:
        headers = {
            "Authorization": f"Bearer {deployment.token(client, 'odb:write')}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        number = course.get("odb_number") or course.get("odbNumber")
        answer = client.put(f"/v1/odb-courses/{number}", json=course, headers=headers)
        assert answer.status_code in (200, 201), answer.text


def _gateway_suite(deployment: Deployment, *tls: str) -> subprocess.CompletedProcess[str]:
    return brug(
        *("conformance", "run", "--service", "gateway-service-v1"),
        *("--target", f"{deployment.url}/soap/gateway/v1"),
        *("--cert", "var/pki/brussels.pem", "--key", "var/pki/brussels.key"),
        *("--identity", "federal=var/pki/federal.pem,var/pki/federal.key"),
        *("--trust", "var/pki/ca.pem", "--peer-cert", "var/pki/flanders.pem"),
        *tls,
        cwd=deployment.workdir,
    )


def test_the_conformance_suite_passes_against_the_gateway_over_mutual_tls(
    deployment: Deployment,
) -> None:
    _load_course(deployment)
    run = _gateway_suite(
        deployment,
        *("--ca", "var/pki/ca.pem"),
        *("--tls-cert", "var/pki/brussels.pem", "--tls-key", "var/pki/brussels.key"),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_a_private_ca_not_trusted_is_a_bad_target_with_a_hint(deployment: Deployment) -> None:
    run = _gateway_suite(deployment, "--case", "GW-WSDL")
    assert run.returncode == 2
    assert "CERTIFICATE_VERIFY_FAILED" in run.stderr
    assert "--ca" in run.stderr
    assert "Traceback" not in run.stderr


def test_insecure_runs_but_says_so_loudly(deployment: Deployment) -> None:
    run = _gateway_suite(deployment, "--insecure", "--case", "GW-WSDL")
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING: --insecure")]
    assert len(warnings) == 2  # before the run and after its summary
    assert "NOT verified" in warnings[0]


def _doc_block(path: Path, first_line: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index("```sh\n" + first_line)
    return text[start + len("```sh\n") : text.index("\n```", start)]


def test_the_token_and_registration_curls_of_operations_md_run_as_written(
    deployment: Deployment,
) -> None:
    run = _run_script(_doc_block(ROOT / "docs" / "operations.md", "# The assertion"), deployment)
    assert run.returncode == 0, run.stdout + run.stderr
    status = json.loads(run.stdout.strip().splitlines()[-1])
    assert status["status"] == "delivered", status


def test_the_metrics_curl_of_operations_md_runs_as_written(deployment: Deployment) -> None:
    block = _doc_block(ROOT / "docs" / "operations.md", "curl http://127.0.0.1:9464/metrics")
    script = block.replace(":9464/", f":{deployment.metrics_port}/")
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "# TYPE brug_messages_total counter" in run.stdout
    assert "brug_outbox_pending" in run.stdout
    # and not on the public port
    with deployment.client() as client:
        assert client.get("/metrics").status_code == 404


def _run_script(script: str, deployment: Deployment) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRUG_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(":8443/", f":{deployment.port}/")],
        cwd=deployment.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_curls_of_rest_api_md_run_as_written(deployment: Deployment) -> None:
    rest_api = ROOT / "docs" / "rest-api.md"
    token = _doc_block(rest_api, "ASSERTION=$(python -c")
    single = _doc_block(rest_api, "# examples/ holds canonical records")
    bulk = _doc_block(rest_api, "# one line per registration")
    run = _run_script(f"{token}\n{single}\necho\n{bulk}", deployment)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert "messageId" in json.loads(lines[0])  # the single registration: accepted
    summary = [json.loads(line) for line in lines[1:]]
    assert any(record.get("messageId") for record in summary), summary


def test_the_mutual_tls_curl_of_operations_md_runs_as_written(deployment: Deployment) -> None:
    _load_course(deployment)
    block = _doc_block(ROOT / "docs" / "operations.md", "# examples/brug.toml registers")
    run = _run_script(block, deployment)
    assert run.returncode == 0, run.stderr
    course = json.loads(run.stdout)
    assert course["odbNumber"] == "CE-100234", course


def test_mutual_tls_without_a_proxy_knows_registered_certificates_only(
    deployment: Deployment,
) -> None:
    ca = _trusting(deployment.pki / "ca.pem")
    url = f"{deployment.url}/v1/odb-courses/CE-100234"
    # the brussels dev certificate is from the client CA but registered for no client
    other = ssl.create_default_context(cafile=str(deployment.pki / "ca.pem"))
    other.load_cert_chain(deployment.pki / "brussels.pem", deployment.pki / "brussels.key")
    refused = httpx.get(url, verify=other)
    assert refused.status_code == 401, refused.text
    assert "0316381039" not in refused.text
    anonymous = httpx.get(url, verify=ca)
    assert anonymous.status_code == 401
    assert anonymous.json()["type"] == "urn:problem-type:belgif:noAccessToken"
