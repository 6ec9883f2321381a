"""``/v1/outbox`` for operators: list, inspect, retry, purge; scope ``outbox:admin``.

A real gateway app (``create_app(build_context(...))`` from the demo's brug.toml, SQLite store)
with its delivery loop off, so the test decides each entry's fate through the library's own
claim/record calls: one delivered with a partner answer, one dead, the rest pending.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.delivery import OutboxStatus
from gateway.delivery.entries import PartnerAnswer
from gateway.delivery.outbox import Outcome
from gateway.service.context import GatewayContext
from gateway.service.rest.routes_outbox import parse_age
from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import bearer, brussels_submissions, in_process_gateway, submit
from tests.service.rest.problem_support import bad_request, problem, rule_of

#: Nobody listens: delivery is off in this module, the URL is only configuration.
NOWHERE = "http://127.0.0.1:9/services/bev/v1"


@dataclass
class Setup:
    context: GatewayContext
    client: TestClient
    admin: dict[str, str]
    pending: int
    delivered: int
    dead: int


@pytest.fixture
def setup(tmp_path: Path, pki: PkiLayout) -> Iterator[Setup]:
    with in_process_gateway(tmp_path, pki, NOWHERE) as (context, client):
        writer = bearer(client, context, pki, "vov:write")
        ids = []
        for body in brussels_submissions(4):
            answer = submit(client, writer, body)
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["messageId"])
        entries = [context.outbox.find("brussels", m) for m in ids]
        assert all(e is not None for e in entries)
        outbox = context.outbox
        claimed = outbox.claim_batch("test-worker", 2, timedelta(seconds=60))
        assert len(claimed) == 2
        outbox.record(
            "test-worker",
            [
                Outcome(claimed[0].id, "delivered", answer=PartnerAnswer(b"<ack>ok</ack>")),
                Outcome(claimed[1].id, "dead", error="refused by partner: test"),
            ],
        )
        admin = bearer(client, context, pki, "outbox:admin")
        yield Setup(context, client, admin, 2, claimed[0].id, claimed[1].id)


def test_list_filters_by_status_and_partner_and_never_shows_payloads(setup: Setup) -> None:
    client, admin = setup.client, setup.admin
    everything = client.get("/v1/outbox", headers=admin)
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["total"] == 4
    assert [e["id"] for e in body["items"]] == sorted(e["id"] for e in body["items"])
    assert all("payload" not in e and "answer" not in e for e in body["items"])

    pending = client.get("/v1/outbox", params={"status": "pending"}, headers=admin).json()
    assert pending["total"] == setup.pending
    assert all(e["status"] == "pending" and e["nextAttemptAt"] for e in pending["items"])
    dead = client.get("/v1/outbox", params={"status": "dead"}, headers=admin).json()
    assert [e["id"] for e in dead["items"]] == [setup.dead]
    assert dead["items"][0]["lastError"] == "refused by partner: test"

    empty = client.get("/v1/outbox", params={"partner": "federal"}, headers=admin).json()
    assert (empty["items"], empty["total"], empty["page"]) == ([], 0, 1)
    assert "next" not in empty and "prev" not in empty

    first = client.get("/v1/outbox", params={"pageSize": 3}, headers=admin).json()
    assert (len(first["items"]), first["total"], first["pageSize"]) == (3, 4, 3)
    assert first["self"] == "http://testserver/v1/outbox?page=1&pageSize=3"
    assert "prev" not in first and first["last"] == first["next"]
    second = client.get(first["next"], headers=admin).json()
    assert [e["id"] for e in first["items"] + second["items"]] == [e["id"] for e in body["items"]]
    assert second["prev"] == first["self"] and "next" not in second
    assert second["items"][0]["self"].endswith(f"/v1/outbox/{second['items'][0]['id']}")
    refused = client.get("/v1/outbox", params={"status": "lost"}, headers=admin)
    (issue,) = bad_request(refused)
    assert (rule_of(issue), issue["in"], issue["name"]) == ("schemaViolation", "query", "status")


def test_inspect_shows_attempts_error_and_answer_and_the_payload_only_on_request(
    setup: Setup,
) -> None:
    client, admin = setup.client, setup.admin
    delivered = client.get(f"/v1/outbox/{setup.delivered}", headers=admin)
    assert delivered.status_code == 200, delivered.text
    entry = delivered.json()
    assert entry["status"] == "delivered"
    assert entry["attempts"] == 1
    assert "payload" not in entry
    assert entry["answer"] == {
        "format": "base64",
        "data": base64.b64encode(b"<ack>ok</ack>").decode(),
    }
    assert len(entry["digest"]) == 64

    with_payload = client.get(
        f"/v1/outbox/{setup.delivered}", params={"payload": "true"}, headers=admin
    ).json()
    stored = setup.context.outbox.get(setup.delivered)
    assert base64.b64decode(with_payload["payload"]) == stored.payload

    dead = client.get(f"/v1/outbox/{setup.dead}", headers=admin).json()
    assert (dead["status"], dead["lastError"], dead.get("answer")) == (
        "dead",
        "refused by partner: test",
        None,
    )
    assert dead["self"].endswith(f"/v1/outbox/{setup.dead}")


def test_retry_makes_a_dead_entry_due_and_refuses_delivered_ones(setup: Setup) -> None:
    client, admin = setup.client, setup.admin
    retried = client.post(f"/v1/outbox/{setup.dead}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    body = retried.json()
    assert (body["status"], body["attempts"]) == ("pending", 0)
    assert "retried by operator" in body["lastError"]
    assert setup.context.outbox.get(setup.dead).status is OutboxStatus.PENDING

    done = client.post(f"/v1/outbox/{setup.delivered}/retry", headers=admin)
    body = problem(done, 409, "urn:problem-type:brug:outboxEntryNotRetryable")
    assert body["entryStatus"] == "delivered"


def test_purge_deletes_only_finished_entries_older_than_the_age(setup: Setup) -> None:
    client, admin = setup.client, setup.admin
    kept = client.post("/v1/outbox/purge", params={"olderThan": "30d"}, headers=admin)
    assert kept.status_code == 200, kept.text
    assert kept.json() == {"purged": 0, "olderThanSeconds": 30 * 86400}
    time.sleep(1.1)
    purged = client.post("/v1/outbox/purge", params={"olderThan": "1s"}, headers=admin).json()
    assert purged["purged"] == 2  # the delivered and the dead entry; pending ones stay
    left = client.get("/v1/outbox", headers=admin).json()
    assert {e["status"] for e in left["items"]} == {"pending"}
    assert left["total"] == setup.pending
    bad = client.post("/v1/outbox/purge", params={"olderThan": "soon"}, headers=admin)
    (issue,) = bad_request(bad)
    assert rule_of(issue) == "duration.invalid"
    assert (issue["in"], issue["name"], issue["value"]) == ("query", "olderThan", "soon")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/outbox"),
        ("GET", "/v1/outbox/1"),
        ("POST", "/v1/outbox/1/retry"),
        ("POST", "/v1/outbox/purge?olderThan=30d"),
    ],
)
def test_every_outbox_operation_needs_outbox_admin(
    setup: Setup, pki: PkiLayout, method: str, path: str
) -> None:
    client = setup.client
    backend = bearer(client, setup.context, pki, "vov:read vov:write")
    refused = client.request(method, path, headers=backend)
    assert refused.status_code == 403, refused.text
    assert "outbox:admin" in refused.text
    assert client.request(method, path).status_code == 401
    assert setup.context.outbox.counts()[OutboxStatus.DELIVERED] == 1  # nothing purged


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/outbox/999999"), ("POST", "/v1/outbox/999999/retry")],
)
def test_unknown_entry_is_404(setup: Setup, method: str, path: str) -> None:
    answer = setup.client.request(method, path, headers=setup.admin)
    assert problem(answer, 404, "resourceNotFound")["resource"] == "outbox_entry"


def test_age_parser_matches_the_cli_units() -> None:
    assert parse_age("90s") == timedelta(seconds=90)
    assert parse_age("12h") == timedelta(hours=12)
    assert parse_age("2w") == timedelta(weeks=2)
