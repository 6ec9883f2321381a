"""ASGI middleware: a correlation id for every request, an access log line, a latency histogram.

A pure ASGI middleware (not Starlette's ``BaseHTTPMiddleware``): it does not buffer bodies and it
sets the context variable in the same task that runs the endpoint, so the correlation id is seen
by everything the request does, including code run through ``run_in_threadpool``.

The histogram's ``operation`` label is the route *template* as the application serves it
(``/v1/odb-courses/{odbNumber}``: with the router's prefix, without path converters), read
after routing; its ``partner`` label is the authenticated client id, which the auth dependency
leaves in the request state under :data:`CLIENT_STATE_KEY`. Both are bounded sets; the raw path
is not. ``unmatched`` means that no route took the request (a 404).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability.correlation import (
    CORRELATION_HEADER,
    accept_correlation_id,
    bind_correlation_id,
    unbind_correlation_id,
)
from gateway.observability.metrics import BrugMetrics

CLIENT_STATE_KEY = "brug_client"
#: An endpoint that knows better than its route template what it did (the SOAP endpoint: the
#: operation's name) leaves it in the request state under this key.
OPERATION_STATE_KEY = "brug_operation"
ANONYMOUS = "anonymous"
UNMATCHED = "unmatched"

access_log = logging.getLogger("gateway.access")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


_CONVERTER = re.compile(r"\{(\w+):[^}]+\}")


class RouteLabels:
    """The served route template of a routed request, from what routing left in the scope.

    Starlette records the matched ``endpoint``: its template is found in the application's
    route list, once per endpoint (an endpoint served under several templates is told apart by
    matching those only). FastAPI records the route *as declared* in its router, without the
    prefixes of the routers it was included in: the full template is the one path of the
    application's OpenAPI document that ends with it.
    """

    def __init__(self) -> None:
        self._by_endpoint: dict[Any, tuple[Any, ...]] | None = None
        self._full: dict[str, str] = {}
        self._documented: tuple[str, ...] | None = None

    def label(self, scope: Scope) -> str:
        state = scope.get("state")
        named = state.get(OPERATION_STATE_KEY) if isinstance(state, dict) else None
        if isinstance(named, str):
            return named
        app = scope.get("app")
        declared = getattr(scope.get("route"), "path_format", None)
        if isinstance(declared, str):
            return self._served(app, _CONVERTER.sub(r"{\1}", declared))
        endpoint = scope.get("endpoint")
        if endpoint is None or app is None:
            return UNMATCHED
        if self._by_endpoint is None:
            self._by_endpoint = _index(getattr(app, "routes", ()))
        candidates = self._by_endpoint.get(endpoint, ())
        if len(candidates) == 1:
            return _template(candidates[0])
        for route in candidates:
            match, _ = route.matches(scope)
            if match.name == "FULL":
                return _template(route)
        return UNMATCHED

    def _served(self, app: Any, declared: str) -> str:
        known = self._full.get(declared)
        if known is not None:
            return known
        if self._documented is None:
            openapi = getattr(app, "openapi", None)
            paths = openapi().get("paths", {}) if callable(openapi) else {}
            self._documented = tuple(paths)
        matches = [p for p in self._documented if p.endswith(declared)]
        served = matches[0] if len(matches) == 1 else declared
        self._full[declared] = served  # bounded: one entry per declared route
        return served


def _index(routes: Any) -> dict[Any, tuple[Any, ...]]:
    found: dict[Any, list[Any]] = {}
    for route in routes:
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None and isinstance(getattr(route, "path", None), str):
            found.setdefault(endpoint, []).append(route)
    return {endpoint: tuple(group) for endpoint, group in found.items()}


def _template(route: Any) -> str:
    return _CONVERTER.sub(r"{\1}", str(route.path))


def _client(scope: Scope) -> str:
    state = scope.get("state")
    client = state.get(CLIENT_STATE_KEY) if isinstance(state, dict) else None
    return client if isinstance(client, str) else ANONYMOUS


class CorrelationIdMiddleware:
    """``app.add_middleware(CorrelationIdMiddleware, metrics=metrics)``; ``metrics`` optional."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: BrugMetrics | None = None,
        header: str = CORRELATION_HEADER,
        log_requests: bool = True,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.header = header
        self._header_key = header.lower().encode("latin-1")
        self.log_requests = log_requests
        self._labels = RouteLabels()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        correlation_id = accept_correlation_id(_header(scope, self._header_key))
        token = bind_correlation_id(correlation_id)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[self.header] = correlation_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            operation, client = self._labels.label(scope), _client(scope)
            if self.metrics is not None and scope["type"] == "http":
                self.metrics.observe_request(client, operation, elapsed)
            if self.log_requests:
                access_log.info(
                    "%s %s %d",
                    scope.get("method", "WS"),
                    scope.get("path", ""),
                    status,
                    extra={
                        "method": scope.get("method", "WS"),
                        "path": scope.get("path", ""),
                        "route": operation,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client_id": client,
                    },
                )
            unbind_correlation_id(token)
