"""Problem details: every brug type documented, Belgif shapes, INSZ masked, no bare 500."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.errors import Violation
from gateway.service.context import GatewayContext
from gateway.service.rest import problems
from gateway.service.rest.errors import ApiError
from gateway.service.rest.limits import MAX_BODY_BYTES
from tests.service.rest.conftest import build_app
from tests.service.rest.problem_support import bad_request, problem, rule_of

ROOT = Path(__file__).resolve().parents[3]
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def _anchors() -> list[str]:
    return ANCHOR.findall((ROOT / problems.PROBLEMS_DOC).read_text(encoding="utf-8"))


def test_every_brug_rule_and_problem_type_has_one_entry_in_the_docs() -> None:
    anchors = _anchors()
    assert len(anchors) == len(set(anchors)), "an anchor is used twice"
    own = {kind.name for kind in problems.PROBLEM_TYPES if not kind.belgif}
    assert set(anchors) == set(problems.BRUG_RULES) | own
    for rule in problems.BRUG_RULES:
        type_, href, title = problems.issue_type(rule)
        assert type_ == f"urn:problem-type:brug:input-validation:{rule}"
        assert href == f"docs/problems.md#{rule}" and title


def test_pydantic_rules_map_to_the_belgif_issue_types() -> None:
    assert problems.issue_type("type.missing")[0] == (
        "urn:problem-type:belgif:input-validation:schemaViolation"
    )
    assert problems.issue_type("type.extra_forbidden")[1] == (
        "https://www.belgif.be/specification/rest/api-guide/issues/unknownInput.html"
    )


def test_issues_locate_and_mask() -> None:
    issues = problems.issues_of(
        [
            Violation("worker.insz", "insz.checksum", "bad check digits", "85071412331"),
            Violation("query.olderThan", "duration.invalid", "an age", "soon"),
            Violation("establishment_unit.number", "establishment.checksum", "97 - n", "2"),
            Violation("header.Idempotency-Key", "idempotency.key-missing", "send one"),
            Violation("/", "json.well-formed", "not JSON: 85071412330 was seen"),
        ]
    )
    assert [(i["in"], i["name"]) for i in issues] == [
        ("body", "worker.ssin"),
        ("query", "olderThan"),
        ("body", "establishmentUnit.establishmentUnitNumber"),
        ("header", "Idempotency-Key"),
        ("body", ""),
    ]
    assert issues[0]["value"] == "********331"
    assert "value" not in issues[3]
    assert "85071412330" not in issues[4]["detail"]


def test_unknown_path_is_a_resource_not_found_problem(
    client: TestClient, auth: dict[str, str]
) -> None:
    problem(client.get("/v1/no-such-thing", headers=auth), 404, "resourceNotFound")


def test_a_bad_query_parameter_is_named(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/v1/outbox", params={"pageSize": "many"}, headers=auth)
    # scope first: this client is no operator
    problem(response, 403, "missingScope")
    response = client.get(
        "/v1/inbound-records", params={"ssin": "85071412330", "pageSize": "0"}, headers=auth
    )
    (issue,) = bad_request(response)
    assert (rule_of(issue), issue["in"], issue["name"], issue["value"]) == (
        "schemaViolation",
        "query",
        "pageSize",
        "0",
    )


def test_an_unexpected_failure_is_an_internal_server_error_problem(
    context: GatewayContext, monkeypatch: pytest.MonkeyPatch, auth: dict[str, str]
) -> None:
    app: FastAPI = build_app(context)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail 85071412330")

    monkeypatch.setattr(context.outbox, "find_message", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"/v1/messages/{uuid.uuid4()}", headers=auth)
    body = problem(response, 500, "internalServerError")
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert set(body) == {"type", "href", "title", "status", "detail"}


def test_a_body_over_the_limit_is_payload_too_large(
    client: TestClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}
    big = b'{"registrationId": "' + b"x" * MAX_BODY_BYTES + b'"}'
    declared = client.post("/v1/vov-registrations", content=big, headers=headers)
    assert problem(declared, 413, "payloadTooLarge")["maxBytes"] == MAX_BODY_BYTES

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it is read
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = client.post("/v1/vov-registrations", content=chunks(), headers=headers)
    assert "content-length" not in streamed.request.headers
    problem(streamed, 413, "payloadTooLarge")
    small = client.post("/v1/vov-registrations", content=b"{}", headers=headers)
    assert small.status_code == 400  # under the limit: validated as usual


def test_a_503_says_when_to_retry_in_the_body_too() -> None:
    error = ApiError(503, "x", "no partner", headers={"Retry-After": "3600"}, partner="brussels")
    body = error.as_problem()
    assert (body["status"], body["retryAfterSec"], body["partner"]) == (503, 3600, "brussels")
    assert body["type"] == "urn:problem-type:belgif:serviceUnavailable"
