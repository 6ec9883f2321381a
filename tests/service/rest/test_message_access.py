"""GET /v1/messages/{id} is confidential: a client follows only the messages it submitted
(single or bulk); operators with ``outbox:admin`` follow any, including legacy entries without
an origin. Anyone else gets exactly the 404 of an unknown id."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.service.context import GatewayContext
from tests.service.rest.conftest import (
    CLIENT_ID,
    OPERATOR_CLIENT_ID,
    OTHER_CLIENT_ID,
    TokenFactory,
    example,
)
from tests.service.rest.problem_support import problem

Headers = dict[str, str]


@pytest.fixture(scope="module")
def client_a(token_for: TokenFactory) -> Headers:
    return {"Authorization": f"Bearer {token_for('vov:read', 'vov:write')}"}


@pytest.fixture(scope="module")
def client_b(token_for: TokenFactory) -> Headers:
    token = token_for("vov:read", "vov:write", client_id=OTHER_CLIENT_ID)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def operator(token_for: TokenFactory) -> Headers:
    token = token_for("vov:read", "outbox:admin", client_id=OPERATOR_CLIENT_ID)
    return {"Authorization": f"Bearer {token}"}


def _registration() -> dict[str, Any]:
    data: dict[str, Any] = example("vov-registration-brussels.json")
    data["registrationId"] = f"ACL-{uuid.uuid4().hex[:12]}"
    return data


def _submit(client: TestClient, auth: Headers) -> str:
    body = {**_registration(), "course": example("odb-course.json")}
    response = client.post(
        "/v1/vov-registrations",
        json=body,
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 202, response.text
    return str(response.json()["messageId"])


def _assert_hidden(client: TestClient, auth: Headers, message_id: str) -> None:
    """404, with the very body (and headers that matter) an id that never existed gets."""
    hidden = client.get(f"/v1/messages/{message_id}", headers=auth)
    unknown_id = str(uuid.uuid4())
    unknown = client.get(f"/v1/messages/{unknown_id}", headers=auth)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.headers["content-type"] == unknown.headers["content-type"]
    assert hidden.json() == json.loads(unknown.text.replace(unknown_id, message_id))
    assert problem(hidden, 404, "resourceNotFound")["detail"].startswith("no message")


def _visible(client: TestClient, auth: Headers, message_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/messages/{message_id}", headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["messageId"] == message_id
    return body


def test_only_the_submitter_and_operators_follow_a_message(
    client: TestClient,
    context: GatewayContext,
    client_a: Headers,
    client_b: Headers,
    operator: Headers,
) -> None:
    message_id = _submit(client, client_a)
    (entry,) = context.outbox.find_message(message_id)
    assert entry.origin == CLIENT_ID

    assert _visible(client, client_a, message_id)["status"] == "pending"
    _assert_hidden(client, client_b, message_id)  # vov:read is not enough
    assert _visible(client, operator, message_id)["status"] == "pending"

    # and the other way round: B's own message is B's, not A's
    theirs = _submit(client, client_b)
    assert context.outbox.find_message(theirs)[0].origin == OTHER_CLIENT_ID
    _visible(client, client_b, theirs)
    _assert_hidden(client, client_a, theirs)


def test_outbox_admin_must_be_in_the_token(
    client: TestClient, token_for: TokenFactory, client_a: Headers
) -> None:
    """The operator client without ``outbox:admin`` in this token is an ordinary reader."""
    message_id = _submit(client, client_a)
    reader = {"Authorization": f"Bearer {token_for('vov:read', client_id=OPERATOR_CLIENT_ID)}"}
    _assert_hidden(client, reader, message_id)


def test_legacy_entries_without_origin_are_for_operators_only(
    client: TestClient, context: GatewayContext, client_a: Headers, operator: Headers
) -> None:
    message_id = str(uuid.uuid4())
    context.outbox.enqueue(  # as before migration 0003, or by a producer that does not say
        partner="brussels", message_id=message_id, operation="ReceiveBevRecord", payload=b"<x/>"
    )
    _assert_hidden(client, client_a, message_id)
    assert _visible(client, operator, message_id)["status"] == "pending"


def test_bulk_lines_record_their_submitter(
    client: TestClient,
    context: GatewayContext,
    client_a: Headers,
    client_b: Headers,
    operator: Headers,
) -> None:
    lines = [
        {"registration": _registration(), "course": example("odb-course.json")} for _ in range(2)
    ]
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    response = client.post(
        "/v1/vov-registrations/bulk",
        content=body,
        headers={
            **client_a,
            "Content-Type": "application/x-ndjson",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200, response.text
    *results, _summary = (json.loads(line) for line in response.text.splitlines())
    message_ids = [r["messageId"] for r in results if r["status"] == "accepted"]
    assert len(message_ids) == 2, results
    for message_id in message_ids:
        (entry,) = context.outbox.find_message(message_id)
        assert entry.origin == CLIENT_ID
        _visible(client, client_a, message_id)
        _assert_hidden(client, client_b, message_id)
        _visible(client, operator, message_id)
