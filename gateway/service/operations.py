"""Liveness and readiness: what an orchestrator asks of the gateway.

(Prometheus scrapes its own listener, ``[metrics] listen``: see
:mod:`gateway.observability.metrics_server`.)

``/healthz`` says the process answers (no dependencies: a restart would not fix a database
outage). ``/readyz`` says whether to send traffic: the store answers a query, and each partner
is probed for real: ``GET <partner url>?wsdl`` must answer 200 with a WSDL (a port that accepts a
TCP connection but serves another path, or no service at all, is not ok). Each check says
``ok`` or a short reason in brug's words (never a driver's exception text, which may carry host
names, user names or SQL: that goes to the log).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.config.sections import PartnerConfig
from gateway.service.context import GatewayContext

PARTNER_PROBE_TIMEOUT = 2.0
_WSDL_ROOT = b"definitions"  # wsdl:definitions (WSDL 1.1), whatever its prefix

log = logging.getLogger("brug.readiness")


def _store_ready(context: GatewayContext) -> tuple[bool, str]:
    try:
        with context.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        log.warning("readiness: the store does not answer", exc_info=True)
        return False, "does not answer a query"
    return True, "ok"


async def probe_partner(client: httpx.AsyncClient, url: str) -> tuple[bool, str]:
    """``GET url?wsdl``: ok when the partner answers 200 with its WSDL."""
    try:
        answer = await client.get(url.split("?", 1)[0] + "?wsdl")
    except httpx.TimeoutException:
        return False, f"no answer within {PARTNER_PROBE_TIMEOUT:g}s"
    except httpx.ConnectError as exc:
        log.info("readiness: partner %s: %s", url, exc)
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return False, "TLS certificate not trusted"
        return False, "unreachable"
    except httpx.HTTPError as exc:
        log.info("readiness: partner %s: %s", url, exc)
        return False, "connection failed"
    if answer.status_code != 200:
        return False, f"WSDL answered HTTP {answer.status_code}"
    if _WSDL_ROOT not in answer.content[:2048]:
        return False, "answered 200 without a WSDL"
    return True, "ok"


async def readiness(context: GatewayContext) -> tuple[bool, dict[str, Any]]:
    ok, detail = await asyncio.to_thread(_store_ready, context)
    checks: dict[str, Any] = {"store": {"ok": ok, "detail": detail}}
    partners = sorted(context.partners.items())
    probes = await asyncio.gather(*(_probe(partner.config) for _, partner in partners))
    for (name, _), (reachable, why) in zip(partners, probes, strict=True):
        checks[f"partner:{name}"] = {"ok": reachable, "detail": why}
    # The store is required; a partner that is down only delays delivery (the outbox retries).
    return ok, checks


async def _probe(config: PartnerConfig) -> tuple[bool, str]:
    """Probe with the partner's own TLS settings: its CA, brug's client certificate."""
    async with httpx.AsyncClient(
        timeout=PARTNER_PROBE_TIMEOUT, verify=config.tls_context()
    ) as client:
        return await probe_partner(client, str(config.url))


def operation_routes(context: GatewayContext) -> list[Route]:
    started = time.monotonic()

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok", "uptime_s": round(time.monotonic() - started, 1)})

    async def readyz(_: Request) -> Response:
        ready, checks = await readiness(context)
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
