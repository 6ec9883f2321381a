"""``POST /v1/vov/check``: a Flemish registration gets its own decision over REST (issue 14)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.service.rest.conftest import TokenFactory, example
from tests.service.rest.problem_support import rules


def test_a_flemish_registration_is_decided_rule_by_rule(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post(
        "/v1/vov/check",
        json={
            "registration": example("vov-registration-flanders.json"),
            "course": example("odb-course.json"),
            "attendedHours": "60.00",
            "filedOn": "2025-10-01",
        },
        headers=auth,
    )
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["eligible"] is True
    assert decision["schoolYear"] == "2025-2026"
    assert decision["capHours"] == "62.50"  # 125 h x 0.5
    assert decision["refundEur"] == "1331.25"  # 62.50 h x EUR 21.30
    checks = {c["rule"]: c for c in decision["checks"]}
    assert checks["vov.attendance"]["passed"] and checks["vov.refund-window"]["passed"]
    assert all(c.get("source") for c in decision["checks"])
    assert decision["provisional"] is True  # the 50% threshold is assumed
    assert "ssin" in decision


def test_half_attendance_is_the_boundary(client: TestClient, auth: dict[str, str]) -> None:
    body = {
        "registration": example("vov-registration-flanders.json"),
        "course": example("odb-course.json"),
    }
    below = client.post("/v1/vov/check", json={**body, "attendedHours": "59.99"}, headers=auth)
    failed = {c["rule"] for c in below.json()["checks"] if not c["passed"]}
    assert failed == {"vov.attendance"}
    final = client.post("/v1/vov/check", json={**body, "finalAssessment": True}, headers=auth)
    assert final.json()["eligible"] is True


def test_a_brussels_registration_is_refused_by_the_region_rule(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post(
        "/v1/vov/check",
        json={
            "registration": example("vov-registration-brussels.json"),
            "course": example("odb-course.json"),
        },
        headers=auth,
    )
    decision = response.json()
    assert decision["eligible"] is False
    assert {c["rule"] for c in decision["checks"] if not c["passed"]} == {"vov.flemish-region"}


def test_bad_input_and_unknown_course_are_400(client: TestClient, auth: dict[str, str]) -> None:
    registration = example("vov-registration-flanders.json")
    response = client.post(
        "/v1/vov/check",
        json={"registration": {**registration, "odbNumber": "ZZ-000001"}},
        headers=auth,
    )
    assert rules(response) == ["course.unknown"]
    response = client.post(
        "/v1/vov/check",
        json={"registration": registration, "attendedHours": "-1"},
        headers=auth,
    )
    assert response.status_code == 400


def test_needs_vov_read(client: TestClient, token_for: TokenFactory) -> None:
    headers = {"Authorization": f"Bearer {token_for('vok:read')}"}
    response = client.post(
        "/v1/vov/check",
        json={"registration": example("vov-registration-flanders.json")},
        headers=headers,
    )
    assert response.status_code == 403


def test_registration_with_the_brussels_fraction_recomputes_the_cap(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = {
        **example("vov-registration-brussels.json"),
        "registrationId": f"T-{uuid.uuid4().hex[:12]}",
        "course": example("odb-course.json"),
        "brusselsEmployment": {"fraction": "0.5000", "referenceMonth": "2025-09"},
    }
    response = client.post(
        "/v1/vov-registrations",
        json=body,
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["record"]["employment"] == {"fraction": "0.5000", "referenceMonth": "2025-09"}
    assert answer["record"]["hoursCap"] == "90.00"  # 180 h (bottleneck) x 0.5
    assert answer["report"]["provisional"]  # sample crosswalk row, carried BEV figures
    bad = client.post(
        "/v1/vov-registrations",
        json={**body, "brusselsEmployment": {"fraction": "2", "referenceMonth": "2025-09"}},
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert bad.status_code == 400
