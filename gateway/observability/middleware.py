"""ASGI middleware: a correlation id for every request, an access log line, a latency histogram.

A pure ASGI middleware (not Starlette's ``BaseHTTPMiddleware``): it does not buffer bodies and it
sets the context variable in the same task that runs the endpoint, so the correlation id is seen
by everything the request does, including code run through ``run_in_threadpool``.

The histogram's ``operation`` label is the route *template* (``/vov/{id}``), read after routing;
its ``partner`` label is the authenticated client id, which the auth dependency leaves in the
request state under :data:`CLIENT_STATE_KEY`. Both are bounded sets; the raw path is not.
"""

from __future__ import annotations

import logging
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
ANONYMOUS = "anonymous"
UNMATCHED = "unmatched"

access_log = logging.getLogger("gateway.access")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _operation(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


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
            operation, client = _operation(scope), _client(scope)
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
