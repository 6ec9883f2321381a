"""Liveness, readiness and metrics: what an orchestrator and Prometheus ask of the gateway.

``/healthz`` says the process answers (no dependencies: a restart would not fix a database
outage). ``/readyz`` says whether to send traffic: the store answers a query and each partner's
endpoint accepts a TCP connection; it names what is wrong so an operator does not have to guess.
"""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from gateway.observability.metrics import metrics_app
from gateway.service.context import GatewayContext

PARTNER_PROBE_TIMEOUT = 1.0


def _store_ready(context: GatewayContext) -> tuple[bool, str]:
    try:
        with context.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return True, "ok"


def _partner_reachable(url: str) -> tuple[bool, str]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), PARTNER_PROBE_TIMEOUT):
            return True, "ok"
    except OSError as exc:
        return False, f"{parts.hostname}:{port} unreachable ({exc.strerror or exc})"


def readiness(context: GatewayContext) -> tuple[bool, dict[str, Any]]:
    ok, detail = _store_ready(context)
    checks: dict[str, Any] = {"store": {"ok": ok, "detail": detail}}
    for name, partner in sorted(context.partners.items()):
        reachable, why = _partner_reachable(str(partner.config.url))
        checks[f"partner:{name}"] = {"ok": reachable, "detail": why}
    # The store is required; a partner that is down only delays delivery (the outbox retries).
    return ok, checks


def operation_routes(context: GatewayContext) -> list[Route | Mount]:
    started = time.monotonic()

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok", "uptime_s": round(time.monotonic() - started, 1)})

    async def readyz(_: Request) -> Response:
        ready, checks = readiness(context)
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Mount("/metrics", app=metrics_app(context.metrics)),
    ]
