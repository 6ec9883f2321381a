"""The ``/v1`` REST API for Flemish backends, assembled from its parts.

One function, :func:`rest_router`, so that the service (``gateway.service.app``) mounts the API
with ``app.include_router(rest_router(context))`` and ``install_rest_errors(app)``; the
OpenAPI metadata (title, description, tags) the app passes to ``FastAPI(...)`` is
:func:`openapi_metadata`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway.service.context import GatewayContext
from gateway.service.rest.bulk import bulk_router
from gateway.service.rest.responses import COMMON, problem_responses
from gateway.service.rest.routes_courses import courses_router
from gateway.service.rest.routes_federal import federal_router
from gateway.service.rest.routes_messages import messages_router
from gateway.service.rest.routes_outbox import outbox_router
from gateway.service.rest.routes_registrations import registrations_router
from gateway.service.rest.routes_reports import reports_router
from gateway.service.rest.routes_vov_check import vov_check_router
from gateway.service.rest.security import ScopeGuards
from gateway.service.rest.submission import Submissions

PREFIX = "/v1"
API_VERSION = "1.0.0"

DESCRIPTION = """\
**brug** exchanges training-incentive records between Flanders (VOV, ODB, VOK), Brussels (BEV)
and the federal RVA (time credit). This API is for Flemish backends.

* **Authentication**: OAuth2 client credentials at the token endpoint, the client proving itself
  with a signed JWT (`private_key_jwt`, RFC 7523), or mutual TLS. Each operation names its scope.
* **Writes** (`POST`, `PUT`) need an `Idempotency-Key` header: resending a request with the same
  key returns the first answer and has no second effect.
* **Errors** are RFC 9457 problem details (`application/problem+json`) of the Belgif REST guide's
  types: bad input is 400 `urn:problem-type:belgif:badRequest` listing every broken rule in
  `issues` (brug's rules as `urn:problem-type:brug:input-validation:<rule>`); a partner or the
  store that cannot be reached is 503 `serviceUnavailable` with `Retry-After`.
* **Names** follow the Belgif REST guide: lowerCamelCase, the INSZ as `ssin`, KBO numbers as
  `enterpriseNumber`, periods as `startDate`/`endDate`; null values are left out. Resources have
  a `self` link; lists are pages (`items`, `total`, `page`, `pageSize`, `next`/`prev` links).
* INSZ numbers are accepted and returned where a backend needs them, never logged.
"""

TAGS: list[dict[str, Any]] = [
    {
        "name": "vov-registrations",
        "description": "Flemish VOV registrations for Brussels establishment units → BEV messages",
    },
    {"name": "odb-courses", "description": "The ODB course catalogue registrations refer to"},
    {
        "name": "messages",
        "description": "Follow a message to a partner; records Brussels handed over",
    },
    {
        "name": "career-breaks-vok",
        "description": "Federal time credit (career breaks), VOK checks and the proactive VOK list",
    },
    {
        "name": "outbox",
        "description": "Operators: list, inspect, retry and purge messages waiting for partners",
    },
    {"name": "auth", "description": "OAuth2 token endpoint (private_key_jwt) and JWKS"},
    {
        "name": "reports",
        "description": "Policy: monitoring and evaluation figures per school year (aggregates)",
    },
]


def openapi_metadata() -> dict[str, Any]:
    """Keyword arguments for ``FastAPI(...)``: title, description, version, tags."""
    return {
        "title": "brug REST API",
        "description": DESCRIPTION,
        "version": API_VERSION,
        "openapi_tags": TAGS,
    }


def rest_router(context: GatewayContext) -> APIRouter:
    """Every ``/v1`` route, bound to ``context`` (store, partners, rules, auth settings)."""
    guards = ScopeGuards(context.settings.auth.token_url)
    submissions = Submissions(context)
    router = APIRouter(prefix=PREFIX, responses=problem_responses(*COMMON))
    router.include_router(registrations_router(context, guards, submissions))
    router.include_router(bulk_router(context, guards, submissions))
    router.include_router(courses_router(context, guards))
    router.include_router(federal_router(context, guards))
    router.include_router(messages_router(context, guards))
    router.include_router(outbox_router(context, guards))
    router.include_router(vov_check_router(context, guards))
    router.include_router(reports_router(context, guards))
    return router
