"""The application a ``brug serve --workers N`` worker process builds for itself.

uvicorn starts N processes that share the listening socket; each imports this factory and
builds its own :class:`~gateway.service.context.GatewayContext` (its own store connections and
delivery worker) from the same configuration. Signing, verification, validation and mapping are
CPU-bound and hold the GIL, so more processes are how the gateway uses more cores. They share
state only through the store: the inbox, replay cache, audit chain and outbox claims are safe
across processes on PostgreSQL (row locks, unique keys, ``SKIP LOCKED``).

The supervisor (``brug serve``) has already loaded and checked the configuration and run the
migrations; a worker reads the same file (``$BRUG_CONFIG``) and the flags passed through the
environment variables below.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from gateway.config import load_settings
from gateway.observability.logs import configure_logging
from gateway.service.app import create_app
from gateway.service.context import build_context
from gateway.service.sample_data import refuse_sample_data

DELIVERY_ENV = "BRUG_SERVE_DELIVERY"  # "1" (default) or "0": run the delivery worker in-process
FACTORY = "gateway.service.factory:worker_app"


def worker_app() -> FastAPI:
    """Build one worker's application from ``$BRUG_CONFIG`` and the environment."""
    settings = load_settings()
    configure_logging(
        settings.logging.level,
        json_lines=settings.logging.as_json,
        background=settings.logging.background,
    )
    context = build_context(settings, upgrade=False)
    refuse_sample_data(settings.rules, context)  # the supervisor checked; a worker never trusts
    delivery = os.environ.get(DELIVERY_ENV, "1") != "0"
    return create_app(context, delivery=delivery, owns_context=True)
