"""The gateway as one ASGI application: REST for Flemish backends, SOAP for partners, operations.

Built from a :class:`GatewayContext` so that tests, ``brug serve`` and the demo assemble the
same thing. The delivery worker runs inside the process (a thread started with the lifespan)
unless told not to: several gateway processes on one PostgreSQL share the outbox safely.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI

from gateway.auth.dependencies import install_auth
from gateway.observability.logs import stop_background_logging
from gateway.observability.middleware import CorrelationIdMiddleware
from gateway.service.api_docs import install_api_docs
from gateway.service.console import install_console
from gateway.service.context import GatewayContext
from gateway.service.delivery_loop import DeliveryLoop
from gateway.service.operations import operation_routes
from gateway.service.rest import install_rest_api, openapi_metadata
from gateway.service.security_headers import SecurityHeadersMiddleware
from gateway.service.soap import soap_routes

# Request pipelines run in anyio's thread pool. The CPU-bound steps hold the GIL, but a request
# waiting for its group commit (gateway/service/soap/batch.py) does not: more threads than cores
# let more messages share one transaction (measured: 4 threads, batches of ~1.5 and ~200
# exchanges/s; 16 threads, batches of ~4-12 and ~290/s, with less CPU per exchange).
WORKER_THREADS = int(os.environ.get("BRUG_WORKER_THREADS", "16"))


def create_app(
    context: GatewayContext, *, delivery: bool = True, owns_context: bool = False
) -> FastAPI:
    """The gateway application over ``context``.

    ``owns_context``: close the context (store connections, partner clients) when the
    application shuts down, for a worker process that built it for itself
    (:func:`gateway.service.factory.worker_app`).
    """
    loop = DeliveryLoop(context) if delivery else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Request handlers run their pipelines in anyio's thread pool, sized for group commit
        # (see WORKER_THREADS); SQLite writers queue on the store's lock, not its busy handler.
        to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        if loop is not None:
            loop.start()
        try:
            yield
        finally:
            if loop is not None:
                loop.stop()
            if owns_context:
                context.close()
            # uvicorn ends a graceful shutdown by re-raising the signal, skipping atexit: write
            # the queued log lines now (later ones are written directly).
            stop_background_logging()

    app = FastAPI(**openapi_metadata(), lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.context = context
    install_api_docs(app)  # /docs and /redoc with assets served here, no CDN
    install_auth(app, context.auth, context.settings.server)
    install_rest_api(app, context)
    # The partners' SOAP routes first: every request is matched against the routes in order,
    # and the REST API's dozens of templates cost ~1 ms per SOAP request when tried before.
    app.router.routes[:0] = soap_routes(context)
    app.router.routes.extend(operation_routes(context))
    install_console(app, context, None if loop is None else loop.breaker)  # /console
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(CorrelationIdMiddleware, metrics=context.metrics)
    return app
