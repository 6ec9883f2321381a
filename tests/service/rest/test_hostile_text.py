"""Text the XML world cannot carry is refused at the edge, naming the field and the rule
(``text.xml-char``), never a 500, never stored; deep JSON is refused per line (``json.depth``).

Issue 12: a control character in ``employer.name`` used to pass the models and make lxml raise
(HTTP 500); one such bulk line failed the whole file; a lone surrogate echoed into the error
body made the body itself fail to render; a course stored with a control character poisoned
every later ``LookupOdbCourse``. These tests hold whatever the REST error shape is: a 4xx whose
body names the rule, valid JSON.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.rest.conftest import example

HOSTILE = ["\x01", "\x00", "\x1b", "\ufffe", "\uffff", "\ud800"]


def _key() -> str:
    return str(uuid.uuid4())


def _id_key(data: dict[str, Any], snake: str, camel: str) -> str:
    return camel if camel in data else snake


def _registration(**employer: str) -> dict[str, Any]:
    data: dict[str, Any] = example("vov-registration-brussels.json")
    data[_id_key(data, "registration_id", "registrationId")] = f"T-{uuid.uuid4().hex[:12]}"
    data["employer"] = {**data["employer"], **employer}
    return data


def _raw_json(value: Any) -> bytes:
    """JSON as a client may send it: a lone surrogate written as its \\u escape."""
    return json.dumps(value).encode("ascii")


@pytest.mark.parametrize("char", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_a_registration_with_a_character_xml_cannot_carry_is_a_4xx_naming_the_field(
    client: TestClient, auth: dict[str, str], char: str
) -> None:
    body = _raw_json(_registration(name=f"Metaal{char}werken"))
    response = client.post(
        "/v1/vov-registrations",
        content=body,
        headers={**auth, "Idempotency-Key": _key(), "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    problem = response.json()  # renders: nothing in it that JSON cannot carry
    text = json.dumps(problem)
    assert "text.xml-char" in text and "employer" in text and "name" in text
    if "issues" in problem:  # the rule is a documented issue type, not a generic one
        (issue,) = [i for i in problem["issues"] if i["type"].endswith(":text.xml-char")]
        assert issue["href"].endswith("#text.xml-char") and issue["title"] != "Invalid input"
    assert "\\ud800" not in response.text or "\\\\ud800" in response.text  # escaped if echoed


def test_a_course_with_a_control_character_is_refused_and_not_stored(
    client: TestClient, auth: dict[str, str]
) -> None:
    course: dict[str, Any] = example("odb-course.json")
    number_key = _id_key(course, "odb_number", "odbNumber")
    number = f"CE-{uuid.uuid4().int % 10**8:08d}"
    course[number_key] = number
    course["provider"] = {**course["provider"], "name": "Lascentrum\x07Brussel"}
    stored = client.put(
        f"/v1/odb-courses/{number}",
        content=_raw_json(course),
        headers={**auth, "Idempotency-Key": _key(), "Content-Type": "application/json"},
    )
    assert 400 <= stored.status_code < 500, stored.text
    assert "text.xml-char" in stored.text and "provider" in stored.text
    assert client.get(f"/v1/odb-courses/{number}", headers=auth).status_code == 404


def test_bulk_lines_with_hostile_text_or_deep_nesting_are_refused_one_by_one(
    client: TestClient, auth: dict[str, str]
) -> None:
    good = _registration()
    course = example("odb-course.json")
    lines = [
        _raw_json({"registration": good, "course": course}),
        _raw_json({"registration": _registration(name="Zenne\x00NV"), "course": course}),
        b"[" * 100_000 + b"]" * 100_000,
        _raw_json({"registration": _registration(name="Zenne\ud800NV"), "course": course}),
        _raw_json({"registration": _registration(), "course": course}),
    ]
    response = client.post(
        "/v1/vov-registrations/bulk",
        content=b"\n".join(lines) + b"\n",
        headers={**auth, "Idempotency-Key": _key(), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    results = [json.loads(line) for line in response.text.splitlines()]
    by_line = {r["line"]: r for r in results if "line" in r}
    assert [by_line[n]["status"] for n in range(1, 6)] == [
        "accepted",
        "rejected",
        "rejected",
        "rejected",
        "accepted",
    ]
    assert "text.xml-char" in json.dumps(by_line[2]) and "text.xml-char" in json.dumps(by_line[4])
    assert "json.depth" in json.dumps(by_line[3])


def test_a_deeply_nested_json_body_is_a_4xx_not_a_500(
    client: TestClient, auth: dict[str, str]
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000  # 200 kB: under the body limit
    for path in ("/v1/vov-registrations", "/v1/odb-courses/CE-100234"):
        method = client.post if path.endswith("registrations") else client.put
        response = method(
            path,
            content=deep,
            headers={**auth, "Idempotency-Key": _key(), "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
