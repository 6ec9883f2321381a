"""The problem responses of the OpenAPI document, each with an example body as it is sent.

Routes name the refusals particular to them (``responses=problem_responses(404, 503)``);
:func:`gateway.service.rest.openapi.describe_rest_api` adds the ones every ``/v1`` operation
can give (401, 403, 500 and the storage 503) and serves them all as
``application/problem+json``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from gateway.service.rest import problems
from gateway.service.rest.problems import (
    InputValidationProblem,
    MissingScopeProblem,
    Problem,
    ServiceUnavailableProblem,
)


def _example(kind: problems.ProblemType, detail: str, **extra: Any) -> dict[str, Any]:
    return problems.problem(kind, detail, **extra)


EXAMPLES: dict[int, dict[str, dict[str, Any]]] = {
    400: {
        "badRequest": _example(
            problems.BAD_REQUEST,
            "The input message is incorrect",
            issues=[
                problems.issue(
                    "insz.checksum",
                    "the check digits do not match the rest of the number",
                    location="body",
                    name="worker.ssin",
                    value="85071412331",
                ),
                problems.issue(
                    "type.missing",
                    "Field required",
                    location="body",
                    name="employer",
                ),
            ],
        )
    },
    401: {
        "noAccessToken": _example(problems.NO_ACCESS_TOKEN, "authentication required"),
        "invalidAccessToken": _example(
            problems.INVALID_ACCESS_TOKEN, "the access token is expired or not valid"
        ),
    },
    403: {
        "missingScope": _example(
            problems.MISSING_SCOPE,
            "this operation needs scope vov:write",
            requiredScopes=["vov:write"],
        )
    },
    404: {
        "resourceNotFound": _example(
            problems.RESOURCE_NOT_FOUND, "no message 0f8fad5b-d9cb-469f-a165-70867728950e"
        )
    },
    409: {
        "requestInProgress": _example(
            problems.IDEMPOTENCY_IN_PROGRESS,
            "the first request with this Idempotency-Key is still being processed; retry later",
            retryAfterSec=1,
        )
    },
    413: {
        "payloadTooLarge": _example(
            problems.PAYLOAD_TOO_LARGE,
            "a request body may hold at most 1048576 bytes (the bulk endpoint takes files)",
            maxBytes=1048576,
        )
    },
    415: {
        "unsupportedMediaType": _example(
            problems.UNSUPPORTED_MEDIA_TYPE,
            "send the bulk file as application/x-ndjson (one registration JSON object per line)",
        )
    },
    422: {
        "idempotencyKeyReused": problems.key_reused(),
    },
    500: {
        "internalServerError": _example(
            problems.INTERNAL_SERVER_ERROR, "the gateway failed to process the request"
        )
    },
    503: {
        "storage": _example(
            problems.SERVICE_UNAVAILABLE,
            "the gateway cannot store requests right now; nothing of this request was stored, "
            "resend it (same Idempotency-Key) later",
            reason="database_unavailable",
            retryAfterSec=5,
        ),
    },
}

_MODELS: dict[int, type[BaseModel]] = {
    400: InputValidationProblem,
    403: MissingScopeProblem,
    422: InputValidationProblem,
    503: ServiceUnavailableProblem,
}

DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: every broken rule in `issues` (urn:problem-type:belgif:badRequest)",
    401: "No or invalid access token (urn:problem-type:belgif:noAccessToken, invalidAccessToken)",
    403: "The token lacks the operation's scope (urn:problem-type:belgif:missingScope)",
    404: "Resource not found (urn:problem-type:belgif:resourceNotFound)",
    409: "A request with this Idempotency-Key is still in progress "
    "(urn:problem-type:brug:idempotencyRequestInProgress); retry after `Retry-After`",
    413: "The body is larger than 1 MiB (urn:problem-type:belgif:payloadTooLarge)",
    415: "Unsupported media type (urn:problem-type:belgif:unsupportedMediaType)",
    422: "Idempotency-Key already used for another body "
    "(urn:problem-type:brug:idempotencyKeyReused)",
    500: "Internal server error (urn:problem-type:belgif:internalServerError)",
    503: "Service unavailable (urn:problem-type:belgif:serviceUnavailable): retry after "
    "`Retry-After` seconds",
}

#: Answered by every ``/v1`` operation (its input, a token, its scope, the store, a bug).
COMMON = (400, 401, 403, 500, 503)


def problem_response(
    status: int,
    description: str | None = None,
    examples: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One FastAPI ``responses`` entry: the problem model, a description, examples."""
    chosen = examples if examples is not None else EXAMPLES.get(status, {})
    return {
        "model": _MODELS.get(status, Problem),
        "description": description or DESCRIPTIONS.get(status, "Problem"),
        "content": {
            problems.MEDIA_TYPE: {
                "examples": {key: {"value": value} for key, value in chosen.items()}
            }
        },
    }


def problem_responses(
    *statuses: int,
    descriptions: dict[int, str] | None = None,
    examples: dict[int, dict[str, dict[str, Any]]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route's own refusals, e.g. ``problem_responses(400, 404)``."""
    descriptions = descriptions or {}
    examples = examples or {}
    return {
        status: problem_response(status, descriptions.get(status), examples.get(status))
        for status in statuses
    }


def problem_example(kind: problems.ProblemType, detail: str, **extra: Any) -> dict[str, Any]:
    """A route-specific example body of ``kind``."""
    return _example(kind, detail, **extra)


__all__ = [
    "COMMON",
    "DESCRIPTIONS",
    "EXAMPLES",
    "problem_example",
    "problem_response",
    "problem_responses",
]
