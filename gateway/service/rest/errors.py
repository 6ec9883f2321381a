"""How the REST API says no: one JSON shape per kind of refusal, never a bare 500.

Flemish backends branch on ``error`` (a stable code) and, for bad input, on each violation's
``rule``; both are part of the contract. Bad input of any origin (the body, a query parameter,
the path, a header FastAPI checked, or brug's own rules in the mapping) is a 422 in the same
shape as :meth:`gateway.errors.BrugValidationError.as_dict`, so a client has one parser.
Authentication errors keep their RFC 6749/6750 shape (``gateway.auth`` renders them).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from adapters.soap.errors import PartnerError
from gateway.delivery.inbox import InboxConflict, InboxInProgress
from gateway.errors import BrugError, BrugValidationError, Violation
from gateway.observability.redaction import redact_insz
from gateway.service.storage_errors import STORAGE_EXCEPTION_TYPES, storage_error_handler
from gateway.validation import error_message, error_rule, shown_input

log = logging.getLogger(__name__)

#: Seconds a client should wait before asking again when a partner is unreachable.
PARTNER_RETRY_AFTER = 30


class ApiError(BrugError):
    """A refusal with an HTTP status, a stable ``error`` code and extra JSON members."""

    def __init__(
        self,
        status_code: int,
        error: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, **self.extra}


def not_found(what: str, message: str) -> ApiError:
    return ApiError(404, "not_found", message, resource=what)


def partner_unavailable(partner: str, reason: str) -> ApiError:
    """503 with ``Retry-After``: the call may succeed later; the caller should not give up."""
    return ApiError(
        503,
        "partner_unavailable",
        f"the {partner} service cannot be reached or did not answer usably; try again later",
        headers={"Retry-After": str(PARTNER_RETRY_AFTER)},
        partner=partner,
        retry_after=PARTNER_RETRY_AFTER,
        reason=redact_insz(reason)[:300],
    )


def invalid(
    path: str, rule: str, message: str, value: str | None = None, *, context: str
) -> BrugValidationError:
    return BrugValidationError([Violation(path, rule, message, value)], context=context)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "/"


def violations_from_request(exc: RequestValidationError) -> list[Violation]:
    """FastAPI's errors as brug violations, with the rule names the identifier validators set
    (``insz.checksum``...), so a body checked by FastAPI reads like one checked by brug."""
    out: list[Violation] = []
    for item in exc.errors():
        loc = tuple(item.get("loc", ()))
        out.append(
            Violation(
                _path(loc),
                error_rule(item),
                error_message(item),
                shown_input(loc, item.get("input")),
            )
        )
    return out or [Violation("/", "request.invalid", "the request is not valid")]


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BrugValidationError)
    return JSONResponse(exc.as_dict(), status_code=422)


async def _request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    error = BrugValidationError(violations_from_request(exc), context="request")
    return JSONResponse(error.as_dict(), status_code=422)


async def _api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    if exc.status_code >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc.error)
    return JSONResponse(exc.as_dict(), status_code=exc.status_code, headers=exc.headers)


async def _inbox_handler(request: Request, exc: Exception) -> JSONResponse:
    """An idempotency key reused for another request (422, as the IETF draft says), or still
    being processed by a concurrent request (409)."""
    if isinstance(exc, InboxInProgress):
        body = ApiError(
            409,
            "idempotency_in_progress",
            "the first request with this key is still being processed; retry later",
        ).as_dict()
        return JSONResponse(body, status_code=409, headers={"Retry-After": "1"})
    error = invalid(
        "header.Idempotency-Key",
        "idempotency.key-reused",
        "this Idempotency-Key was already used for a different request body",
        context="Idempotency-Key",
    )
    body = {**error.as_dict(), "error": "idempotency_key_reused"}
    return JSONResponse(body, status_code=422)


async def _partner_handler(request: Request, exc: Exception) -> JSONResponse:
    """A partner failure that escaped a route: transient or not, the caller may retry later."""
    assert isinstance(exc, PartnerError)
    error = partner_unavailable("partner", exc.reason)
    return JSONResponse(error.as_dict(), status_code=503, headers=error.headers)


def install_rest_errors(app: FastAPI) -> None:
    """Render brug's refusals as the REST API documents them (docs/rest-api.md, "Errors").

    Installs handlers for :class:`BrugValidationError` and FastAPI's request validation (422),
    :class:`ApiError` (its own status), idempotency conflicts (422 / 409) and partner failures
    (503 with ``Retry-After``), storage outages (503 ``storage_unavailable``, see
    :mod:`gateway.service.storage_errors`). OAuth errors stay with
    :func:`gateway.auth.install_auth`.
    """
    app.add_exception_handler(BrugValidationError, _validation_handler)
    app.add_exception_handler(RequestValidationError, _request_validation_handler)
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(InboxConflict, _inbox_handler)
    app.add_exception_handler(InboxInProgress, _inbox_handler)
    app.add_exception_handler(PartnerError, _partner_handler)
    for storage_type in STORAGE_EXCEPTION_TYPES:  # database down, disk full: 503 + Retry-After
        app.add_exception_handler(storage_type, storage_error_handler)
