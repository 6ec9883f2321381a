"""Reading problem details in tests: what a Belgif-aware client branches on."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_JSON = "application/problem+json"
BELGIF = "urn:problem-type:belgif:"
BRUG_ISSUE = "urn:problem-type:brug:input-validation:"
BELGIF_ISSUE = "urn:problem-type:belgif:input-validation:"


def problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The problem body, checked: media type, status (in the body too) and type URN."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    expected = kind if kind.startswith("urn:") else BELGIF + kind
    assert body["type"] == expected, body
    assert body["title"] and body["href"]
    return body


def rule_of(issue: dict[str, Any]) -> str:
    """brug's rule name of an issue (``insz.checksum``), or the Belgif issue type's name."""
    kind = str(issue["type"])
    for prefix in (BRUG_ISSUE, BELGIF_ISSUE):
        if kind.startswith(prefix):
            return kind.removeprefix(prefix)
    raise AssertionError(f"not an input-validation issue type: {kind}")


def bad_request(response: httpx.Response) -> list[dict[str, Any]]:
    """The issues of a 400 ``badRequest``."""
    return list(problem(response, 400, "badRequest")["issues"])


def rules(response: httpx.Response) -> list[str]:
    return [rule_of(i) for i in bad_request(response)]
