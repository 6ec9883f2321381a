"""A bulk request has a budget: a file of tiny invalid lines stops after the allowed number of
rejections (issue 12: a 20 MB body of 3-byte lines kept the server busy for 560 s), the rest
of the body is read and dropped, and the summary says where and why."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from gateway.service.rest import bulk
from tests.service.rest.conftest import example


def test_a_file_of_garbage_stops_at_the_rejection_budget(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH_SIZE", 5)
    monkeypatch.setattr(bulk, "BUDGET", bulk.Budget(max_rejected=10))
    body = b"x\n" * 100_000  # 200 kB of invalid lines
    response = client.post(
        "/v1/vov-registrations/bulk",
        content=body,
        headers={
            **auth,
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/x-ndjson",
        },
    )
    assert response.status_code == 200, response.text
    lines = [json.loads(line) for line in response.text.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["stopped"]["rule"] == "bulk.max-rejected"
    assert summary["lines"] == summary["rejected"] == 10
    assert summary["stopped"]["afterLine"] == 10
    assert len(response.content) < 10_000  # not ~300 bytes for each of the 100,000 lines


def test_the_line_budget_stops_a_valid_file_and_a_resend_continues(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    monkeypatch.setattr(bulk, "BUDGET", bulk.Budget(max_lines=2))
    registration = example("vov-registration-brussels.json")
    course = example("odb-course.json")
    rows = []
    for _ in range(3):
        line = {**registration, "registrationId": f"B-{uuid.uuid4().hex[:10]}"}
        rows.append(json.dumps({"registration": line, "course": course}).encode())
    key = str(uuid.uuid4())
    headers = {**auth, "Idempotency-Key": key, "Content-Type": "application/x-ndjson"}
    first = client.post("/v1/vov-registrations/bulk", content=b"\n".join(rows), headers=headers)
    summary = json.loads(first.text.splitlines()[-1])["summary"]
    assert summary["stopped"]["rule"] == "bulk.max-lines", first.text
    assert summary["accepted"] == 2, first.text
    monkeypatch.setattr(bulk, "BUDGET", bulk.Budget())
    again = client.post("/v1/vov-registrations/bulk", content=b"\n".join(rows), headers=headers)
    summary = json.loads(again.text.splitlines()[-1])["summary"]
    assert "stopped" not in summary
    assert (summary["accepted"], summary["replayed"]) == (3, 2)  # two answered from the inbox
