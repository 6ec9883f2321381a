"""PUT/GET /v1/odb-courses and GET /v1/inbound-records."""

from __future__ import annotations

import uuid

import httpx
from fastapi.testclient import TestClient

from gateway.models import VovRegistration
from gateway.service.context import GatewayContext
from tests.service.rest.conftest import TokenFactory, canonical, example
from tests.service.rest.problem_support import rules


def _put(client: TestClient, headers: dict[str, str], number: str, body: object) -> httpx.Response:
    return client.put(
        f"/v1/odb-courses/{number}",
        json=body,
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )


def test_store_replace_and_read_a_course(client: TestClient, auth: dict[str, str]) -> None:
    course = {**example("odb-course.json"), "odbNumber": f"CE-{uuid.uuid4().int % 10**8:08d}"}
    number = course["odbNumber"]
    created = _put(client, auth, number, course)
    assert created.status_code == 201, created.text
    assert created.headers["Location"].endswith(f"/v1/odb-courses/{number}")
    replaced = _put(client, auth, number, {**course, "titleNl": "Lasser MIG"})
    assert replaced.status_code == 200
    assert "Location" not in replaced.headers  # 200: replaced, not created
    assert replaced.json()["created"] is False
    read = client.get(f"/v1/odb-courses/{number}", headers=auth)
    assert read.status_code == 200 and read.json()["titleNl"] == "Lasser MIG"
    assert client.get("/v1/odb-courses/CE-00000001", headers=auth).status_code == 404


def test_path_and_body_must_agree(client: TestClient, auth: dict[str, str]) -> None:
    response = _put(client, auth, "CE-123456", example("odb-course.json"))
    assert rules(response) == ["path.mismatch"]


def test_odb_write_alone_may_store_but_odb_read_may_not(
    client: TestClient, token_for: TokenFactory
) -> None:
    course = example("odb-course.json")
    writer = {"Authorization": f"Bearer {token_for('odb:write')}"}
    reader = {"Authorization": f"Bearer {token_for('odb:read')}"}
    assert _put(client, writer, course["odbNumber"], course).status_code in (200, 201)
    assert _put(client, reader, course["odbNumber"], course).status_code == 403


def test_inbound_records_for_a_worker(
    client: TestClient, auth: dict[str, str], context: GatewayContext
) -> None:
    registration = VovRegistration.model_validate(canonical("vov-registration-mover.json"))
    with context.store.transaction() as tx:
        context.records.add_inbound(
            partner="brussels",
            message_id=str(uuid.uuid4()),
            kind="bev-record",
            source_record_id="BEV-1",
            record=registration,
            report={"findings": []},
            tx=tx,
        )
    response = client.get(
        "/v1/inbound-records", params={"ssin": registration.worker.insz}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] >= 1 and body["page"] == 1
    assert body["items"][0]["record"]["registrationId"] == registration.registration_id
    assert body["items"][0]["record"]["worker"]["ssin"] == registration.worker.insz
    bad = client.get("/v1/inbound-records", params={"ssin": "12345678901"}, headers=auth)
    assert rules(bad) == ["insz.checksum"]
