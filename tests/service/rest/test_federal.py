"""Career breaks and VOK through the federal simulator (seed 2025, 3000 workers), the proactive
list from stored mutations, and 503 + Retry-After when the federal side is down."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient

from adapters.federal.seed import SeededWorker, generate
from adapters.simulation.process import RunningProcess
from gateway.models import AttestStatus, CareerBreakMutation
from gateway.service.context import GatewayContext
from tests.service.rest.conftest import TokenFactory, example
from tests.service.rest.problem_support import bad_request, problem, rules


@pytest.fixture(scope="module")
def trainee(context: GatewayContext) -> SeededWorker:
    """A seeded worker with RVA time credit for training during the 2025-26 VOK rule data."""
    for worker in generate(2025, 3000).with_profile("training"):
        for record in worker.records:
            if (
                context.codes.is_training_reason(record.reason.code if record.reason else None)
                and record.period.begin >= date(2024, 9, 1)
                and context.codes.reduction_of(record.reduction.code) is not None
            ):
                return SeededWorker(worker.insz, worker.profile, (record,))
    raise AssertionError("the seed has no suitable training worker")


def test_career_breaks_from_the_simulator(
    client: TestClient, auth: dict[str, str], trainee: SeededWorker
) -> None:
    record = trainee.records[0]
    response = client.get(
        "/v1/career-breaks",
        params={
            "ssin": trainee.insz,
            "startDate": str(record.period.begin),
            "endDate": str(record.period.end),
        },
        headers=auth,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["ssin"] == trainee.insz
    assert record.dossier_number in {r["dossierNumber"] for r in answer["items"]}


def test_career_breaks_refuse_a_bad_insz(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(
        "/v1/career-breaks",
        params={"ssin": "85071412331", "startDate": "2025-09-01", "endDate": "2026-08-31"},
        headers=auth,
    )
    assert rules(response) == ["insz.checksum"]
    (issue,) = bad_request(response)
    assert (issue["in"], issue["name"], issue["value"]) == ("query", "ssin", "********331")
    assert "85071412331" not in response.text


def test_career_breaks_need_vok_read(client: TestClient, token_for: TokenFactory) -> None:
    response = client.get(
        "/v1/career-breaks",
        params={"ssin": "85071412330", "startDate": "2025-09-01", "endDate": "2026-08-31"},
        headers={"Authorization": f"Bearer {token_for('vov:read')}"},
    )
    assert response.status_code == 403


def test_federal_down_is_503_with_retry_after(
    client: TestClient, auth: dict[str, str], federal_sim: RunningProcess
) -> None:
    federal_sim.set_faults(down_for_seconds=30)
    try:
        response = client.get(
            "/v1/career-breaks",
            params={"ssin": "85071412330", "startDate": "2025-09-01", "endDate": "2026-08-31"},
            headers=auth,
        )
    finally:
        federal_sim.clear_faults()
    body = problem(response, 503, "serviceUnavailable")
    assert int(response.headers["Retry-After"]) == body["retryAfterSec"] > 0
    assert body["partner"] == "federal"
    assert "85071412330" not in response.text


def test_vok_check_with_a_catalogue_course(
    client: TestClient, auth: dict[str, str], trainee: SeededWorker
) -> None:
    course = example("odb-course-vok.json")
    client.put(
        f"/v1/odb-courses/{course['odbNumber']}",
        json=course,
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    record = trainee.records[0]
    response = client.post(
        "/v1/vok/check",
        json={
            "ssin": trainee.insz,
            "odbNumber": course["odbNumber"],
            "period": {"startDate": str(record.period.begin), "endDate": str(record.period.end)},
            "educationLevel": "medium",
            "contractMonths": 24,
        },
        headers=auth,
    )
    assert response.status_code == 200, response.text
    decision = response.json()
    checks = {c["rule"]: c["passed"] for c in decision["checks"]}
    assert checks["vok.training-motive"] and checks["vok.covers-period"]
    assert decision["careerBreakDossier"] == record.dossier_number
    assert decision["months"][0]["month"] == str(record.period.begin)[:7]
    assert decision["provisional"] is True  # sample code table, sector and region not given
    assert any("sample" in r for r in decision["provisionalReasons"])
    public = client.post(
        "/v1/vok/check",
        json={
            "ssin": trainee.insz,
            "odbNumber": course["odbNumber"],
            "period": {"startDate": str(record.period.begin), "endDate": str(record.period.end)},
            "sector": "public",
            "region": "flanders",
            "appliedOn": str(record.period.begin),
            "workedBefore": "0.9000",
        },
        headers=auth,
    ).json()
    assert public["eligible"] is False
    assert {c["rule"] for c in public["months"][0]["failed"]} >= {"vok.private-sector"}


def test_vok_check_unknown_course(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/vok/check",
        json={
            "ssin": "85071412330",
            "odbNumber": "ZZ-000001",
            "period": {"startDate": "2025-09-01", "endDate": "2026-02-28"},
        },
        headers=auth,
    )
    assert rules(response) == ["course.unknown"]


def test_proactive_list_from_stored_mutations(
    client: TestClient, auth: dict[str, str], context: GatewayContext, trainee: SeededWorker
) -> None:
    record = trainee.records[0]
    cancelled = CareerBreakMutation(
        attest_number=f"T-{uuid.uuid4().hex[:8]}", status=AttestStatus.NEW, record=record
    )
    live = CareerBreakMutation(
        attest_number=f"T-{uuid.uuid4().hex[:8]}", status=AttestStatus.NEW, record=record
    )
    with context.store.transaction() as tx:
        context.records.add_mutations("push-1", [cancelled, live], tx=tx)
        context.records.add_mutations(
            "push-2", [cancelled.model_copy(update={"status": AttestStatus.CANCELLED})], tx=tx
        )
    plain = client.post("/v1/vok/proactive", json={}, headers=auth)
    assert plain.status_code == 200, plain.text
    found = {c["ssin"]: c for c in plain.json()["items"]}
    assert found[trainee.insz]["status"] == "to-contact"
    assert found[trainee.insz]["attestNumbers"] == [live.attest_number]
    assert plain.json()["total"] == len(found)

    course = example("odb-course-vok.json")
    checked = client.post("/v1/vok/proactive", json={"course": course}, headers=auth)
    assert checked.status_code == 200, checked.text
    candidate = {c["ssin"]: c for c in checked.json()["items"]}[trainee.insz]
    assert candidate["decision"] is not None
    assert candidate["status"] in ("eligible", "provisional", "not-eligible")
