"""The demo's exchange, driven like a Flemish backend and the partners would drive it.

1. the backend gets an access token (private_key_jwt) and loads the ODB course catalogue;
2. it streams a bulk file of a few thousand VOV registrations (some invalid, some workers
   moving between regions); the gateway validates, maps, signs and queues each one durably;
3. mid-run Brussels goes down for a while: the outbox retries and delivers after it returns;
4. the federal side pushes career-break mutations; the backend asks for the proactive VOK list;
5. the audit chain is verified.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.auth import CLIENT_ASSERTION_TYPE
from gateway.auth.assertion import make_client_assertion
from gateway.demo.sample import Sample
from gateway.demo.stack import DEMO_CLIENT, DemoStack
from gateway.service.rest.resources import record_json, rest_json

SCOPES = "vov:read vov:write odb:read odb:write vok:read"
#: Issue types of a refused line: brug's rules, or the Belgif generic ones (schemaViolation...).
ISSUE_PREFIXES = (
    "urn:problem-type:brug:input-validation:",
    "urn:problem-type:belgif:input-validation:",
)


def rule_name(issue_type: str) -> str:
    """``insz.checksum`` for ``urn:problem-type:brug:input-validation:insz.checksum``."""
    for prefix in ISSUE_PREFIXES:
        if issue_type.startswith(prefix):
            return issue_type.removeprefix(prefix)
    return issue_type


BULK_CHUNK = 64 * 1024


@dataclass
class ExchangeOutcome:
    submitted: int = 0
    accepted: int = 0
    not_for_brussels: int = 0
    rejected: int = 0
    rejected_by_rule: Counter[str] = field(default_factory=Counter)
    stored_at_brussels: int = 0
    retries: int = 0
    outage_seconds: float = 0.0
    drain_seconds: float = 0.0
    mutations_pushed: int = 0
    vok_candidates: int = 0
    vok_examples: list[dict[str, Any]] = field(default_factory=list)
    audit_verified: bool | None = None
    audit_detail: str = ""
    accepted_ids: list[str] = field(default_factory=list)


class BackendClient:
    """A Flemish backend: token from the gateway, then the REST API."""

    def __init__(self, stack: DemoStack) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.gateway_url, timeout=60)
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            assertion = make_client_assertion(
                DEMO_CLIENT,
                self.stack.pki["flanders"].key.read_bytes(),
                f"{self.stack.gateway_url}/oauth2/token",
            )
            answer = self.http.post(
                "/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": CLIENT_ASSERTION_TYPE,
                    "client_assertion": assertion,
                    "scope": SCOPES,
                },
            )
            answer.raise_for_status()
            self._token = str(answer.json()["access_token"])
        return self._token

    def headers(self, *, idempotent: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token()}"}
        if idempotent:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return headers

    def put_course(self, odb_number: str, course: dict[str, Any]) -> None:
        answer = self.http.put(
            f"/v1/odb-courses/{odb_number}", json=course, headers=self.headers(idempotent=True)
        )
        answer.raise_for_status()

    def bulk(self, lines: Iterator[bytes]) -> Iterator[dict[str, Any]]:
        headers = {**self.headers(idempotent=True), "Content-Type": "application/x-ndjson"}
        with self.http.stream(
            "POST", "/v1/vov-registrations/bulk", content=lines, headers=headers
        ) as answer:
            answer.raise_for_status()
            for line in answer.iter_lines():
                if line.strip():
                    yield json.loads(line)

    def proactive(self) -> dict[str, Any]:
        answer = self.http.post("/v1/vok/proactive", json={}, headers=self.headers(idempotent=True))
        answer.raise_for_status()
        return dict(answer.json())

    def pending(self) -> int:
        text = self.http.get(self.stack.metrics_url).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith("brug_outbox_pending{"):
                total += float(line.rsplit(" ", 1)[1])
        return int(total)

    def retries(self) -> int:
        text = self.http.get(self.stack.metrics_url).text
        return int(
            sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("brug_retries_total{")
            )
        )


def _lines(sample: Sample) -> Iterator[bytes]:
    for item in sample.items:
        yield json.dumps({"registration": rest_json(item.registration)}).encode() + b"\n"


def run_exchange(
    stack: DemoStack,
    sample: Sample,
    *,
    outage_seconds: float,
    mutations: int,
    on_line: Callable[[dict[str, Any]], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> ExchangeOutcome:
    phase = on_phase or (lambda _: None)
    outcome = ExchangeOutcome()
    backend = BackendClient(stack)
    phase("loading the ODB course catalogue")
    for odb_number, course in sample.courses.items():
        backend.put_course(odb_number, record_json(course))

    phase("streaming the bulk file")
    outage_at = len(sample.items) // 3
    outage_started: float | None = None
    for result in backend.bulk(_lines(sample)):
        if "summary" in result:
            continue
        outcome.submitted += 1
        status = result.get("status")
        if status == "accepted":
            outcome.accepted += 1
            outcome.accepted_ids.append(str(result["messageId"]))
        elif status == "not-for-brussels":
            outcome.not_for_brussels += 1
        else:
            outcome.rejected += 1
            for issue in result.get("issues", []):
                outcome.rejected_by_rule[rule_name(str(issue.get("type")))] += 1
        if outcome.submitted == outage_at and outage_seconds > 0:
            stack.brussels.set_faults(down_for_seconds=outage_seconds)
            outage_started = time.monotonic()
        if on_line is not None:
            on_line(result)
    if outage_started is not None:
        outcome.outage_seconds = outage_seconds

    phase("federal side pushes career-break mutations")
    outcome.mutations_pushed = _push_mutations(stack, mutations)
    phase("building the proactive VOK list")
    proactive = backend.proactive()
    outcome.vok_candidates = int(proactive.get("total", 0))
    outcome.vok_examples = list(proactive.get("items", []))[:3]

    phase("waiting for every accepted message to be delivered")
    started = time.monotonic()
    deadline = started + max(120.0, outage_seconds * 4)
    while backend.pending() > 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    outcome.drain_seconds = time.monotonic() - started
    outcome.retries = backend.retries()
    outcome.stored_at_brussels = int(stack.brussels.received()["stored"]["total"])
    return outcome


def _push_mutations(stack: DemoStack, count: int) -> int:
    """Have the federal simulator push ``count`` mutations to the gateway's SOAP service."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "simulate",
            "federal",
            "--pki",
            str(stack.pki.root),
            "--gateway-cert",
            str(stack.pki["flanders"].cert),
            "--push-to",
            f"{stack.gateway_url}/soap/gateway/v1",
            "--count",
            str(count),
            "--workers",
            "3000",
            "--seed",
            "2025",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mutation push failed: {result.stderr.strip()[-500:]}")
    return count
