"""The served OpenAPI document against the Belgif REST guide's rules that a program can check.

* every property of every schema a ``/v1`` operation uses, and every query and path parameter,
  is lowerCamelCase;
* every ``/v1`` operation has a human ``operationId`` (lowerCamelCase, unique), a tag, a
  summary, and problem responses (``application/problem+json``) for 400, 401, 403, 500, 503;
* every response status >= 400 is a problem, every problem response has an example;
* every schema in ``components`` is used, and every example (requests, responses, parameters)
  is valid against its schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from tests.service.rest.conftest import example

PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "patch")
LOWER_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
COMMON_PROBLEMS = {"400", "401", "403", "500", "503"}
COMPONENT = "#/components/schemas/"


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_operations_have_human_ids_tags_and_summaries(document: dict[str, Any]) -> None:
    ids = []
    for label, operation in operations(document):
        ids.append(operation["operationId"])
        assert LOWER_CAMEL.match(operation["operationId"]), label
        assert "_" not in operation["operationId"], label
        assert operation.get("tags") and operation.get("summary"), label
    assert len(ids) == len(set(ids)) >= 13
    declared = {tag["name"] for tag in document["tags"]}
    used = {t for _, operation in operations(document) for t in operation["tags"]}
    assert used <= declared


def test_every_operation_answers_problems(document: dict[str, Any]) -> None:
    for label, operation in operations(document):
        responses = operation["responses"]
        assert set(responses) >= COMMON_PROBLEMS, label
        for status, response in responses.items():
            if int(status) < 400:
                continue
            content = response.get("content", {})
            assert list(content) == [PROBLEM], f"{label} {status}: {list(content)}"
            assert content[PROBLEM].get("examples"), f"{label} {status}: no example"
            assert response.get("description"), f"{label} {status}"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(COMPONENT):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reached(document: dict[str, Any], paths: dict[str, Any]) -> set[str]:
    schemas = document["components"]["schemas"]
    reached: set[str] = set()
    todo = [r.rsplit("/", 1)[-1] for r in _refs(paths)]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo.extend(r.rsplit("/", 1)[-1] for r in _refs(schemas[name]))
    return reached


def test_no_unused_schemas(document: dict[str, Any]) -> None:
    assert set(document["components"]["schemas"]) - _reached(document, document["paths"]) == set()


def _property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            if key not in ("examples", "example", "default"):
                yield from _property_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _property_names(value)


def test_properties_and_parameters_are_lower_camel_case(document: dict[str, Any]) -> None:
    rest = {p: item for p, item in document["paths"].items() if p.startswith("/v1/")}
    schemas = document["components"]["schemas"]
    used = [schemas[name] for name in sorted(_reached(document, rest))]
    names = set(_property_names(used)) | set(_property_names(rest))
    assert {"ssin", "enterpriseNumber", "establishmentUnitNumber", "startDate"} <= names
    assert sorted(n for n in names if not LOWER_CAMEL.match(n)) == []
    for label, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "header":
                assert LOWER_CAMEL.match(parameter["name"]), f"{label}: {parameter['name']}"
        for placeholder in re.findall(r"{([^}]+)}", label):
            assert LOWER_CAMEL.match(placeholder), label


def test_the_case_check_catches_snake_case() -> None:
    assert list(_property_names({"properties": {"odb_number": {}}})) == ["odb_number"]
    assert not LOWER_CAMEL.match("odb_number") and LOWER_CAMEL.match("odbNumber")


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    rooted = {**schema, "components": document["components"]}
    return jsonschema_rs.validator_for(rooted)


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example value) for every example in the document."""
    for label, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(s, r.get("content", {})) for s, r in operation["responses"].items()]
        for where, content in bodies:
            for media_type, entry in content.items():
                if "schema" not in entry:
                    continue
                values = [(k, e["value"]) for k, e in entry.get("examples", {}).items()]
                if "example" in entry:
                    values.append(("example", entry["example"]))
                for key, value in values:
                    line_schema = entry["schema"].get("type") != "string"
                    if media_type.endswith("ndjson") and line_schema:  # each line's schema
                        for number, line in enumerate(value.splitlines(), 1):
                            yield (
                                f"{label} {where} {key}:{number}",
                                entry["schema"],
                                json.loads(line),
                            )
                    elif media_type.endswith("json") or media_type.endswith("ndjson"):
                        yield f"{label} {where} {key}", entry["schema"], value
        for parameter in operation.get("parameters", []):
            for value in [parameter.get("example"), *parameter.get("examples", {}).values()]:
                if value is not None and "schema" in parameter:
                    value = value["value"] if isinstance(value, dict) else value
                    yield f"{label} {parameter['name']}", parameter["schema"], value


def test_examples_are_valid_against_their_schemas(document: dict[str, Any]) -> None:
    checked = 0
    for where, schema, value in _examples(document):
        errors = [e.message for e in _validator(document, schema).iter_errors(value)]
        assert not errors, f"{where}: {errors[:3]} in {json.dumps(value)[:300]}"
        checked += 1
    assert checked > 30


def test_the_checks_catch_a_bad_example(document: dict[str, Any]) -> None:
    """The validation above is not vacuous: a problem without ``status`` is refused."""
    schema = {"$ref": "#/components/schemas/Problem"}
    assert _validator(document, schema).is_valid({"type": "x", "title": "t", "status": 404})
    assert not _validator(document, schema).is_valid({"type": "x", "title": "t"})


def _response_schema(document: dict[str, Any], method: str, path: str, status: int) -> Any:
    response = document["paths"][path][method]["responses"][str(status)]
    (content,) = response["content"].values()
    return content["schema"]


def test_real_answers_match_their_documented_schemas(
    document: dict[str, Any], client: TestClient, auth: dict[str, str]
) -> None:
    """Not only the examples: what the API really sends validates against the document
    (camelCase names, nulls left out, problems)."""
    course = example("odb-course.json")
    number = course["odbNumber"]
    calls = [
        ("put", "/v1/odb-courses/{odbNumber}", f"/v1/odb-courses/{number}", course),
        ("get", "/v1/odb-courses/{odbNumber}", f"/v1/odb-courses/{number}", None),
        ("get", "/v1/odb-courses/{odbNumber}", "/v1/odb-courses/ZZ-0001", None),
        (
            "post",
            "/v1/vov-registrations",
            "/v1/vov-registrations",
            {**example("vov-registration-brussels.json"), "registrationId": "DOC-CHECK-1"},
        ),
        (
            "post",
            "/v1/vov-registrations",
            "/v1/vov-registrations",
            example("invalid/bad-insz.json"),
        ),
        ("post", "/v1/vok/proactive", "/v1/vok/proactive", {}),
        ("get", "/v1/messages/{messageId}", "/v1/messages/nope", None),
    ]
    seen = set()
    for method, template, url, body in calls:
        headers = {**auth, "Idempotency-Key": f"doc-{method}-{url}-{len(seen)}"}
        response = client.request(method, url, json=body, headers=headers)
        schema = _response_schema(document, method, template, response.status_code)
        errors = [e.message for e in _validator(document, schema).iter_errors(response.json())]
        assert not errors, f"{method} {url} {response.status_code}: {errors[:3]}"
        seen.add(response.status_code)
    assert {200, 202, 400, 404} <= seen


DOC = Path(__file__).resolve().parents[3] / "docs" / "rest-api.md"
MARKED = re.compile(r"<!-- openapi: (\w+) (\S+) (\w+)( ndjson)? -->\n```\w*\n(.*?)```", re.S)


def test_the_bodies_in_the_docs_are_valid(document: dict[str, Any]) -> None:
    """docs/rest-api.md shows requests and answers as they are: each marked block validates
    against the schema the document gives that request or response."""
    checked = 0
    for method, path, status, ndjson, text in MARKED.findall(DOC.read_text(encoding="utf-8")):
        operation = document["paths"][path][method.lower()]
        if status == "request":
            (content,) = operation["requestBody"]["content"].values()
        else:
            (content,) = operation["responses"][status]["content"].values()
        values = [json.loads(line) for line in text.splitlines()] if ndjson else [json.loads(text)]
        for value in values:
            errors = [e.message for e in _validator(document, content["schema"]).iter_errors(value)]
            assert not errors, f"{method} {path} {status}: {errors[:3]}"
            checked += 1
    assert checked >= 8
