"""POST /v1/vov-registrations end to end: 202, outbox, delivery to the Brussels simulator,
GET /v1/messages/{id}; idempotency; validation and routing refusals; auth."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from gateway.delivery.transport import PartnerTransport
from gateway.delivery.worker import DeliveryWorker
from gateway.service.context import GatewayContext
from tests.service.rest.conftest import TokenFactory, build_app, example
from tests.service.rest.problem_support import bad_request, problem, rule_of, rules


def _key() -> str:
    return str(uuid.uuid4())


def _registration(registration_id: str | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = example("vov-registration-brussels.json")
    data["registrationId"] = registration_id or f"T-{uuid.uuid4().hex[:12]}"
    data.update(changes)
    return data


def _submit(client: TestClient, auth: dict[str, str], body: Any, key: str | None = None) -> Any:
    headers = {**auth, "Idempotency-Key": key or _key()}
    return client.post("/v1/vov-registrations", json=body, headers=headers)


def test_accepted_queued_delivered_and_followed(
    own_context: GatewayContext, token_for: TokenFactory
) -> None:
    context = own_context
    client = TestClient(build_app(context))
    auth = {"Authorization": f"Bearer {token_for()}"}  # the same key signs every context's tokens
    body = {**_registration(), "course": example("odb-course.json")}
    response = _submit(client, auth, body)
    assert response.status_code == 202, response.text
    answer = response.json()
    message_id = answer["messageId"]
    assert answer["status"] == "accepted"
    assert answer["self"] == f"http://testserver/v1/messages/{message_id}"
    assert response.headers["Location"] == answer["self"]
    assert answer["record"]["worker"]["ssin"] == body["worker"]["ssin"]
    assert answer["record"]["employer"]["enterpriseNumber"] == body["employer"]["enterpriseNumber"]
    assert "sourceRegion" not in answer["record"] or answer["record"]["sourceRegion"]
    assert answer["report"]["target"] and answer["report"]["copied"]
    (entry,) = context.outbox.find_message(message_id)
    assert entry.partner == "brussels" and entry.operation == "ReceiveBevRecord"
    assert b"SignatureValue" not in entry.payload  # stored unsigned: signed at each attempt
    assert entry.correlation_id == response.headers["X-Correlation-ID"]

    pending = client.get(f"/v1/messages/{message_id}", headers=auth).json()
    assert pending["status"] == "pending" and "answer" not in pending  # nulls are left out

    assert context.brussels is not None
    worker = DeliveryWorker(
        context.outbox,
        PartnerTransport({"brussels": context.brussels}),
        clock=context.store.clock,
    )
    worker.run(until_drained=True)
    followed = client.get(f"/v1/messages/{message_id}", headers=auth)
    assert followed.status_code == 200
    state = followed.json()
    assert state["status"] == "delivered", state
    assert state["attempts"] == 1 and state["deliveredAt"]
    assert state["answer"]["messageId"] == message_id
    assert state["answer"]["status"] == "accepted"


def test_course_from_the_catalogue(client: TestClient, auth: dict[str, str]) -> None:
    course = example("odb-course.json")
    stored = client.put(
        f"/v1/odb-courses/{course['odbNumber']}",
        json=course,
        headers={**auth, "Idempotency-Key": _key()},
    )
    assert stored.status_code in (200, 201), stored.text
    response = _submit(client, auth, _registration())
    assert response.status_code == 202, response.text


def test_unknown_course_is_400(client: TestClient, auth: dict[str, str]) -> None:
    response = _submit(client, auth, _registration(odbNumber="ZZ-999999"))
    assert rules(response) == ["course.unknown"]
    (issue,) = bad_request(response)
    assert issue["href"] == "docs/problems.md#course.unknown"
    assert (issue["in"], issue["name"], issue["value"]) == ("body", "odbNumber", "ZZ-999999")


def test_same_key_same_body_answers_the_same_once(
    client: TestClient, auth: dict[str, str], context: GatewayContext
) -> None:
    key, body = _key(), {**_registration(), "course": example("odb-course.json")}
    first = _submit(client, auth, body, key)
    second = _submit(client, auth, body, key)
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Location"] == first.headers["Location"] == first.json()["self"]
    assert len(context.outbox.find_message(first.json()["messageId"])) == 1


def test_same_key_other_body_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    key = _key()
    course = example("odb-course.json")
    assert _submit(client, auth, {**_registration(), "course": course}, key).status_code == 202
    other = _submit(client, auth, {**_registration(), "course": course}, key)
    body = problem(other, 422, "urn:problem-type:brug:idempotencyKeyReused")
    (issue,) = body["issues"]
    assert rule_of(issue) == "idempotency.key-reused"
    assert (issue["in"], issue["name"]) == ("header", "Idempotency-Key")


def test_missing_idempotency_key_is_400_naming_the_header(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post("/v1/vov-registrations", json=_registration(), headers=auth)
    (issue,) = bad_request(response)
    assert rule_of(issue) == "idempotency.key-missing"
    assert (issue["in"], issue["name"]) == ("header", "Idempotency-Key")
    assert "Idempotency-Key" in issue["detail"]


def test_bad_insz_lists_the_checksum_rule_masked(client: TestClient, auth: dict[str, str]) -> None:
    body = _registration()
    body["worker"] = {**body["worker"], "ssin": "85071412331"}
    response = _submit(client, auth, body)
    (issue,) = bad_request(response)
    assert rule_of(issue) == "insz.checksum"
    assert issue["type"] == "urn:problem-type:brug:input-validation:insz.checksum"
    assert (issue["in"], issue["name"]) == ("body", "worker.ssin")
    assert issue["value"] == "********331"
    assert "85071412331" not in response.text


def test_flemish_unit_stays_in_flanders(client: TestClient, auth: dict[str, str]) -> None:
    body = {**example("vov-registration-flanders.json"), "course": example("odb-course.json")}
    response = _submit(client, auth, body)
    assert "route.not-brussels" in rules(response)
    (issue,) = [i for i in bad_request(response) if rule_of(i) == "route.not-brussels"]
    assert (issue["in"], issue["name"], issue["value"]) == (
        "body",
        "establishmentUnit.region",
        "flanders",
    )


def test_names_are_belgif_camel_case(client: TestClient, auth: dict[str, str]) -> None:
    """The REST names are the contract: a snake_case property next to its REST name is an
    unknown input, and the INSZ is ``ssin``."""
    body = _registration()
    snake = {**body, "registration_id": body["registrationId"]}
    (issue,) = bad_request(_submit(client, auth, snake))
    assert (rule_of(issue), issue["name"]) == ("unknownInput", "registration_id")
    wrong = {**body, "worker": {**body["worker"], "ssin": "12.34"}}
    (issue,) = bad_request(_submit(client, auth, wrong))
    assert (rule_of(issue), issue["name"], issue["value"]) == (
        "insz.length",
        "worker.ssin",
        "***********",
    )


def test_malformed_json_is_400(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/vov-registrations",
        content=b"{not json",
        headers={**auth, "Idempotency-Key": _key(), "Content-Type": "application/json"},
    )
    (issue,) = bad_request(response)
    assert rule_of(issue) == "schemaViolation"
    assert issue["in"] == "body"


def test_missing_token_is_401(client: TestClient) -> None:
    response = client.post(
        "/v1/vov-registrations", json=_registration(), headers={"Idempotency-Key": _key()}
    )
    problem(response, 401, "noAccessToken")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_401(client: TestClient) -> None:
    response = client.get("/v1/messages/x", headers={"Authorization": "Bearer not-a-token"})
    problem(response, 401, "invalidAccessToken")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_wrong_scope_is_403(client: TestClient, token_for: TokenFactory) -> None:
    headers = {"Authorization": f"Bearer {token_for('odb:read')}", "Idempotency-Key": _key()}
    response = client.post("/v1/vov-registrations", json=_registration(), headers=headers)
    body = problem(response, 403, "missingScope")
    assert body["requiredScopes"] == ["vov:write"]
    assert 'scope="vov:write"' in response.headers["WWW-Authenticate"]


def test_unknown_message_is_404(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(f"/v1/messages/{uuid.uuid4()}", headers=auth)
    problem(response, 404, "resourceNotFound")
