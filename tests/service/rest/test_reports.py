"""GET /v1/reports/evaluation: scope reports:read (401 / 403), a bad schoolYear (400 with the
rule), JSON / CSV / HTML; and the figures of registrations submitted over REST (single and
bulk), which is what proves intake writes the evaluation facts."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient

from gateway.service.context import GatewayContext
from tests.service.rest.conftest import TokenFactory, build_app, example

PATH = "/v1/reports/evaluation"


def _registration(template: str = "vov-registration-brussels.json", **changes: Any) -> Any:
    data: dict[str, Any] = example(template)
    data["registrationId"] = f"R-{uuid.uuid4().hex[:12]}"
    data.update(changes)
    return data


def _submit(client: TestClient, auth: dict[str, str], body: Any) -> int:
    headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
    return client.post("/v1/vov-registrations", json=body, headers=headers).status_code


def _table(report: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    table = next(t for t in report["tables"] if t["key"] == key)
    rows = {row["label"]: row["values"] for row in table["rows"]}
    if "total" in table:
        rows["total"] = table["total"]["values"]
    return rows


def test_scope_and_bad_school_year(client: TestClient, token_for: TokenFactory) -> None:
    assert client.get(PATH, params={"schoolYear": "2025-2026"}).status_code == 401
    reader = {"Authorization": f"Bearer {token_for('vov:read')}"}
    refused = client.get(PATH, params={"schoolYear": "2025-2026"}, headers=reader)
    assert refused.status_code == 403
    assert "reports:read" in refused.text
    auth = {"Authorization": f"Bearer {token_for('reports:read')}"}
    bad = client.get(PATH, params={"schoolYear": "2025-26"}, headers=auth)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    (issue,) = bad.json()["issues"]
    assert issue["type"].endswith(":school-year.format")
    assert issue["in"] == "query" and issue["name"] == "schoolYear"
    assert issue["value"] == "2025-26"
    missing = client.get(PATH, headers=auth)
    assert missing.status_code == 400


def test_figures_of_registrations_submitted_over_rest(
    own_context: GatewayContext, token_for: TokenFactory
) -> None:
    client = TestClient(build_app(own_context))
    writer = {"Authorization": f"Bearer {token_for('vov:write')}"}
    course = example("odb-course.json")
    for _ in range(6):  # single: six Brussels registrations routed
        assert _submit(client, writer, {**_registration(), "course": course}) == 202
    flemish = {**_registration("vov-registration-flanders.json"), "course": course}
    assert _submit(client, writer, flemish) == 400  # stays in Flanders
    lines = [_registration() for _ in range(3)]
    lines.append(_registration(worker={**lines[0]["worker"], "ssin": "85071412331"}))  # bad INSZ
    lines += [_registration("vov-registration-flanders.json") for _ in range(5)]
    body = "".join(json.dumps({"registration": r, "course": course}) + "\n" for r in lines)
    bulk = client.post(
        "/v1/vov-registrations/bulk",
        content=body.encode(),
        headers={
            **writer,
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/x-ndjson",
        },
    )
    assert bulk.status_code == 200, bulk.text

    auth = {"Authorization": f"Bearer {token_for('reports:read')}"}
    answer = client.get(PATH, params={"schoolYear": "2025-2026"}, headers=auth)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["schoolYear"] == "2025-2026" and report["suppression"]["threshold"] == 5
    regions = _table(report, "registrationsByRegion")
    # Brussels: 9 routed, 1 refused (the bad INSZ: region and year read from the line as sent);
    # the 1 is "<5", and 9 is hidden with it, or 10 - 9 would give it back
    assert regions["brussels"] == {"routed": "x", "notBrussels": 0, "refused": "<5", "total": 10}
    assert regions["flanders"] == {"routed": 0, "notBrussels": 6, "refused": 0, "total": 6}
    assert regions["total"]["total"] == 16
    assert _table(report, "refusalsByRule")["insz.checksum"] == {"count": "<5"}
    assert _table(report, "transfersByStatus")["pending"] == {"count": 9}
    text = answer.text
    for secret in ("85071412330", "01030923452", lines[0]["registrationId"]):
        assert secret not in text  # aggregates only

    csv_answer = client.get(
        PATH, params={"schoolYear": "2025-2026"}, headers={**auth, "Accept": "text/csv"}
    )
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert "2025-2026,VOV registrations,registrationsByRegion,region,brussels,refused,<5" in (
        csv_answer.text
    )
    page = client.get(
        PATH, params={"schoolYear": "2025-2026"}, headers={**auth, "Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "&lt;5" in page.text
