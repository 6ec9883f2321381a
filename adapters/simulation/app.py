"""Assemble a simulator: its SOAP service, the fault-injection middleware, the admin endpoints.

Admin endpoints (JSON, not SOAP; answered to loopback clients only, and never subject to
injected faults, so a test can always observe and heal a "down" simulator):

* ``GET /_admin/health``: alive, which simulator, current fault settings;
* ``GET /_admin/received[?message_id=ID]``: requests per operation / outcome / message id,
  and what the simulator stored per message id (exactly-once proof);
* ``POST /_admin/faults`` ``{"latency_ms", "fail_ratio", "down_for_seconds", "fail_mode",
  "seed"}`` and ``DELETE /_admin/faults``;
* extra routes a simulator adds (e.g. the federal mutation feed).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.simulation.faults import FaultInjector, FaultSettings
from adapters.simulation.received import ReceivedLog
from gateway.soap.envelope import CONTENT_TYPES, version_from_content_type
from gateway.soap.faults import fault_envelope

ADMIN_PREFIX = "/_admin"
#: message id -> how many records the simulator stored under it.
StoredCounts = Callable[[str | None], dict[str, int]]


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FaultInjectionMiddleware:
    """Pure ASGI middleware: latency, injected failures and downtime for non-admin requests."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide()
        if decision.action == "down":
            await Response(b"", 503, headers={"Retry-After": "1"})(scope, receive, send)
            return
        is_call = scope["method"] == "POST"
        if decision.latency_s and is_call:
            await asyncio.sleep(decision.latency_s)
        if decision.action != "fail" or not is_call:
            await self.app(scope, receive, send)
            return
        if decision.fail_mode == "after":
            await self.app(scope, receive, _discard)  # processed, then the answer is "lost"
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        version = version_from_content_type(headers.get("content-type"))
        if decision.fail_mode == "refuse":
            body = fault_envelope(version, "sender", "simulated refusal: message rejected")
            response = Response(body, 500, media_type=CONTENT_TYPES[version])
            await response(scope, receive, send)
            return
        body = fault_envelope(version, "receiver", "simulated failure: service overloaded")
        response = Response(body, 503, media_type=CONTENT_TYPES[version])
        await response(scope, receive, send)


async def _discard(message: Message) -> None:
    """An ASGI ``send`` that drops the response (fail_mode=after)."""


def _forbidden_unless_loopback(request: Request) -> Response | None:
    host = request.client.host if request.client else None
    if not is_loopback(host):
        return JSONResponse({"error": "admin endpoints answer loopback clients only"}, 403)
    return None


def admin_routes(
    kind: str,
    injector: FaultInjector,
    received: ReceivedLog,
    stored: StoredCounts | None = None,
) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        refused = _forbidden_unless_loopback(request)
        if refused is not None:
            return refused
        return JSONResponse({"status": "ok", "simulator": kind, "faults": injector.snapshot()})

    async def received_view(request: Request) -> Response:
        refused = _forbidden_unless_loopback(request)
        if refused is not None:
            return refused
        message_id = request.query_params.get("message_id")
        stored_counts = stored(message_id) if stored is not None else {}
        snap = received.snapshot()
        if message_id is not None:
            return JSONResponse(
                {
                    "message_id": message_id,
                    "requests": snap["by_message_id"].get(message_id, 0),
                    "stored": stored_counts.get(message_id, 0),
                }
            )
        body: dict[str, Any] = {
            **snap,
            "stored": {"total": sum(stored_counts.values()), "by_message_id": stored_counts},
        }
        return JSONResponse(body)

    async def faults(request: Request) -> Response:
        refused = _forbidden_unless_loopback(request)
        if refused is not None:
            return refused
        if request.method == "DELETE":
            injector.clear()
            return JSONResponse(injector.snapshot())
        try:
            settings = FaultSettings.model_validate_json(await request.body())
        except ValidationError as exc:
            errors = [
                {"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            return JSONResponse({"error": "invalid fault settings", "violations": errors}, 422)
        injector.configure(settings)
        return JSONResponse(injector.snapshot())

    return [
        Route(f"{ADMIN_PREFIX}/health", health, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/received", received_view, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", faults, methods=["POST", "DELETE"]),
    ]


def build_app(
    kind: str,
    service_routes: Sequence[BaseRoute],
    injector: FaultInjector,
    received: ReceivedLog,
    *,
    stored: StoredCounts | None = None,
    extra_admin_routes: Sequence[BaseRoute] = (),
) -> ASGIApp:
    """The ASGI app of one simulator (SOAP routes + admin), wrapped in fault injection."""
    routes = [*admin_routes(kind, injector, received, stored), *extra_admin_routes, *service_routes]
    app = Starlette(routes=routes)
    return FaultInjectionMiddleware(app, injector)


def guard(request: Request) -> Response | None:
    """For simulators' extra admin routes: the same loopback-only rule."""
    return _forbidden_unless_loopback(request)
