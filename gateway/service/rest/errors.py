"""How the REST API says no: RFC 9457 problem details of the Belgif types, never a bare 500.

The types, titles and the ``issues[]`` of a 400 are :mod:`gateway.service.rest.problems`'; this
module raises and renders them. Bad input of any origin (the body, a query parameter, the path,
a header FastAPI checked, or brug's own rules in the mapping) is one 400 ``badRequest`` listing
every broken rule, so a client has one parser. The token endpoint keeps the RFC 6749 error shape
OAuth clients expect; on ``/v1`` a refused token or scope is a problem too (``noAccessToken``,
``invalidAccessToken``, ``missingScope``), with the RFC 6750 ``WWW-Authenticate`` challenge.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.soap.errors import PartnerError
from gateway.auth import OAuthError, OAuthErrorCode
from gateway.auth.dependencies import oauth_error_handler
from gateway.delivery.inbox import InboxConflict, InboxInProgress
from gateway.errors import BrugError, BrugValidationError, Violation
from gateway.observability.redaction import redact_insz
from gateway.service.rest import problems
from gateway.service.rest.limits import too_large_body
from gateway.service.rest.problems import ProblemType
from gateway.service.storage_errors import (
    STORAGE_EXCEPTION_TYPES,
    STORAGE_RETRY_AFTER,
    is_storage_unavailable,
    storage_kind,
)
from gateway.validation import error_message, error_rule, shown_input

log = logging.getLogger(__name__)

#: Seconds a client should wait before asking again when a partner is unreachable.
PARTNER_RETRY_AFTER = 30
#: Paths whose refusals are problem details (the rest of the app keeps its own formats).
REST_PREFIX = "/v1"

_BY_STATUS: dict[int, ProblemType] = {
    kind.status: kind for kind in reversed(problems.PROBLEM_TYPES) if kind.belgif
}


class ApiError(BrugError):
    """A refusal rendered as a problem: ``kind`` (by default the Belgif type for the status),
    the ``detail`` text and extra members (lowerCamelCase names, as the body shows them)."""

    def __init__(
        self,
        status_code: int,
        error: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        kind: ProblemType | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error  # brug's name for the refusal: logged, not sent
        self.message = message
        self.headers = headers or {}
        self.kind = kind or _BY_STATUS.get(status_code) or problems.INTERNAL_SERVER_ERROR
        self.extra = extra

    def as_problem(self) -> dict[str, Any]:
        extra = dict(self.extra)
        retry_after = self.headers.get("Retry-After", "")
        if retry_after.isdigit():  # the body says it too, as Belgif's retryAfterSec
            extra.setdefault("retryAfterSec", int(retry_after))
        body = problems.problem(self.kind, self.message, **extra)
        body["status"] = self.status_code
        return body


def problem_response(
    body: dict[str, Any], status_code: int | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        body,
        status_code=status_code or int(body["status"]),
        headers=headers,
        media_type=problems.MEDIA_TYPE,
    )


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
        retryAfterSec=PARTNER_RETRY_AFTER,
        reason=redact_insz(reason)[:300],
    )


def invalid(
    path: str, rule: str, message: str, value: str | None = None, *, context: str
) -> BrugValidationError:
    """One broken rule; ``path`` is ``query.<name>``, ``header.<name>``, ``path.<name>`` or a
    dotted path into the body."""
    return BrugValidationError([Violation(path, rule, message, value)], context=context)


def _name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def issues_from_request(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's errors as Belgif issues, with brug's rule where an identifier validator set one
    (``insz.checksum``...), so a body checked by FastAPI reads like one checked by brug."""
    out: list[dict[str, Any]] = []
    for item in exc.errors():
        loc = tuple(item.get("loc", ()))
        where = str(loc[0]) if loc else "body"
        location: problems.Location = (
            where if where in ("body", "query", "path", "header") else "body"  # type: ignore[assignment]
        )
        # The validators' rules (insz.checksum, text.xml-char...); the value masked (INSZ, by
        # field and by value) and escaped (a character JSON or XML cannot carry).
        shown = shown_input(loc, item.get("input"))
        out.append(
            problems.issue(
                error_rule(item),
                error_message(item),
                location=location,
                name=_name(loc[1:]),
                value=shown,
            )
        )
    if not out:
        out.append(
            problems.issue("request.invalid", "the request is not valid", location="body", name="")
        )
    return out


def _is_rest(request: Request) -> bool:
    path = request.url.path
    return path == REST_PREFIX or path.startswith(REST_PREFIX + "/")


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BrugValidationError)
    return problem_response(problems.bad_request(exc.violations))


async def _request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    body = problems.problem(
        problems.BAD_REQUEST, "The input message is incorrect", issues=issues_from_request(exc)
    )
    return problem_response(body)


async def _api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    if exc.status_code >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc.error)
    return problem_response(exc.as_problem(), exc.status_code, exc.headers)


async def _inbox_handler(request: Request, exc: Exception) -> JSONResponse:
    """An idempotency key reused for another request (422, as the IETF draft says), or still
    being processed by a concurrent request (409 with ``Retry-After``)."""
    if isinstance(exc, InboxInProgress):
        body = problems.problem(
            problems.IDEMPOTENCY_IN_PROGRESS,
            "the first request with this Idempotency-Key is still being processed; retry later",
            retryAfterSec=1,
        )
        return problem_response(body, headers={"Retry-After": "1"})
    return problem_response(problems.key_reused())


async def _partner_handler(request: Request, exc: Exception) -> JSONResponse:
    """A partner failure that escaped a route: transient or not, the caller may retry later."""
    assert isinstance(exc, PartnerError)
    error = partner_unavailable("partner", exc.reason)
    return problem_response(error.as_problem(), 503, error.headers)


async def _oauth_handler(request: Request, exc: Exception) -> JSONResponse:
    """On ``/v1``: the Belgif problem for a refused token or scope, with the RFC 6750 challenge;
    elsewhere (the token endpoint) the RFC 6749 body OAuth clients read."""
    assert isinstance(exc, OAuthError)
    if not _is_rest(request):
        return await oauth_error_handler(request, exc)
    log.warning(
        "authentication refused: %s",
        exc.error.value,
        extra={"oauth_error": exc.error.value, "reason": exc.reason, "path": request.url.path},
    )
    headers = exc.headers()
    if exc.error is OAuthErrorCode.INSUFFICIENT_SCOPE:
        body = problems.problem(
            problems.MISSING_SCOPE,
            exc.description,
            requiredScopes=(exc.scope or "").split(),
        )
    elif exc.reason == "no credentials":
        body = problems.problem(problems.NO_ACCESS_TOKEN, exc.description)
    else:
        body = problems.problem(problems.INVALID_ACCESS_TOKEN, exc.description)
    return problem_response(body, exc.status_code, headers)


async def _http_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, method not allowed) as problems on ``/v1``."""
    assert isinstance(exc, StarletteHTTPException)
    if not _is_rest(request):
        return await http_exception_handler(request, exc)
    if exc.status_code == 404:
        body = problems.problem(problems.RESOURCE_NOT_FOUND, f"no resource {request.url.path}")
    elif exc.status_code == 413:  # raised by gateway.service.rest.limits.BodyLimit
        body = too_large_body()
    else:  # RFC 9457 §4.2.1: no more semantics than the status code itself
        body = {"type": "about:blank", "title": str(exc.detail), "status": exc.status_code}
    return problem_response(body, exc.status_code, dict(exc.headers or {}))


async def _storage_handler(request: Request, exc: Exception) -> JSONResponse:
    """503 ``serviceUnavailable`` + ``Retry-After`` for a storage outage (see
    :mod:`gateway.service.storage_errors`); anything else of the registered types is re-raised
    so it stays the 500 it was. The driver's text is never echoed (it can hold SQL parameters,
    i.e. personal data)."""
    if not is_storage_unavailable(exc):
        raise exc
    log.warning(
        "%s %s: storage unavailable (%s)", request.method, request.url.path, type(exc).__name__
    )
    body = problems.problem(
        problems.SERVICE_UNAVAILABLE,
        "the gateway cannot store requests right now; nothing of this request was stored, "
        "resend it (same Idempotency-Key) later",
        reason=storage_kind(exc),
        retryAfterSec=STORAGE_RETRY_AFTER,
    )
    return problem_response(body, headers={"Retry-After": str(STORAGE_RETRY_AFTER)})


async def _internal_handler(request: Request, exc: Exception) -> Response:
    """Any other failure on ``/v1``: ``internalServerError``, nothing of the exception shown
    (elsewhere Starlette's plain 500)."""
    if not _is_rest(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    log.warning("%s %s: unexpected %s", request.method, request.url.path, type(exc).__name__)
    body = problems.problem(
        problems.INTERNAL_SERVER_ERROR, "the gateway failed to process the request"
    )
    return problem_response(body)


def install_rest_errors(app: FastAPI) -> None:
    """Render brug's refusals as problem details (docs/rest-api.md, "Errors").

    Installs handlers for :class:`BrugValidationError` and FastAPI's request validation (400
    ``badRequest``), :class:`ApiError` (its own status and type), idempotency conflicts (422 /
    409), partner failures and storage outages (503 ``serviceUnavailable`` with
    ``Retry-After``), OAuth refusals on ``/v1`` (401 / 403), unknown ``/v1`` paths (404) and
    anything unexpected (500 ``internalServerError``).
    """
    app.add_exception_handler(BrugValidationError, _validation_handler)
    app.add_exception_handler(RequestValidationError, _request_validation_handler)
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(InboxConflict, _inbox_handler)
    app.add_exception_handler(InboxInProgress, _inbox_handler)
    app.add_exception_handler(PartnerError, _partner_handler)
    app.add_exception_handler(OAuthError, _oauth_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _internal_handler)
    for storage_type in STORAGE_EXCEPTION_TYPES:  # database down, disk full: 503 + Retry-After
        app.add_exception_handler(storage_type, _storage_handler)
