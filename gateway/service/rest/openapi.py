"""The app-level parts of the OpenAPI document that a router cannot carry.

Problems are served as ``application/problem+json`` (FastAPI files a response model under
``application/json``), and FastAPI's own 422 "Validation Error" response, which brug never
sends (bad input is a 400 ``badRequest`` problem), is taken out with its schemas.

FastAPI builds ``components.securitySchemes`` only from its own scheme classes, which know the
OpenAPI 3.0 types; ``mutualTLS`` is OpenAPI 3.1's, so it is added to the generated document
here, with an alternative ``mutualTLS`` requirement next to every ``oauth2`` one (either way in
is enough, as :func:`gateway.auth.current_principal` implements).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from gateway.service.rest.problems import MEDIA_TYPE
from gateway.service.rest.router import API_VERSION, DESCRIPTION, PREFIX, TAGS
from gateway.service.rest.security import MTLS_DESCRIPTION, MTLS_SCHEME


def _with_mutual_tls(document: dict[str, Any]) -> dict[str, Any]:
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[MTLS_SCHEME] = {"type": "mutualTLS", "description": MTLS_DESCRIPTION}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith(PREFIX + "/"):
            continue
        for operation in operations.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if security and {MTLS_SCHEME: []} not in security:
                security.append({MTLS_SCHEME: []})
    return document


_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"


def _as_problems(document: dict[str, Any]) -> dict[str, Any]:
    for path, operations in document.get("paths", {}).items():
        if not path.startswith(PREFIX + "/"):
            continue
        for operation in operations.values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            generated = responses.get("422", {}).get("content", {}).get("application/json", {})
            if generated.get("schema", {}).get("$ref") == _FASTAPI_VALIDATION:
                del responses["422"]
            for status, response in responses.items():
                content = response.get("content", {})
                if not status.isdigit() or int(status) < 400 or "application/json" not in content:
                    continue
                moved = content.pop("application/json")
                content[MEDIA_TYPE] = {**moved, **content.get(MEDIA_TYPE, {})}
    schemas = document.get("components", {}).get("schemas", {})
    if _FASTAPI_VALIDATION.rsplit("/", 1)[-1] not in json.dumps(document.get("paths", {})):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return document


def describe_rest_api(app: FastAPI) -> None:
    """Title, description, version and tags (unless the app set its own), and mutual TLS.

    Call it once after the routes are mounted; the document is still built lazily by FastAPI
    on the first ``/openapi.json`` and cached.
    """
    if app.title == "FastAPI":
        app.title = "brug REST API"
        app.description = DESCRIPTION
        app.version = API_VERSION
    if not app.openapi_tags:
        app.openapi_tags = TAGS
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _as_problems(_with_mutual_tls(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
