"""The OpenAPI document: 3.1, security schemes, examples, the Idempotency-Key parameter."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_document_describes_security_examples_and_idempotency(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] == "brug REST API"
    schemes = doc["components"]["securitySchemes"]
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "https://brug.test/oauth2/token"
    assert "private_key_jwt" in schemes["oauth2"]["description"]
    assert schemes["mutualTLS"]["type"] == "mutualTLS"
    submit = doc["paths"]["/v1/vov-registrations"]["post"]
    assert {"oauth2": ["vov:write"]} in submit["security"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in submit["parameters"])
    examples = submit["requestBody"]["content"]["application/json"]["examples"]
    assert "brussels" in examples and "flemish-unit" in examples
    bulk = doc["paths"]["/v1/vov-registrations/bulk"]["post"]
    assert "application/x-ndjson" in bulk["requestBody"]["content"]
    assert {t["name"] for t in doc["tags"]} >= {"vov-registrations", "odb-courses"}


def test_swagger_ui_is_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
