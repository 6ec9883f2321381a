"""``brug serve``: run the gateway (REST + SOAP + operations + delivery worker) under uvicorn.

With ``--workers N`` uvicorn runs N processes on one socket (the work is CPU-bound and one
Python process uses one core); they coordinate only through the store, so several workers need
PostgreSQL: SQLite has one writer per file, and processes queueing on its lock wait in its
sleeping busy handler (tens of milliseconds a time) instead of working.
"""

from __future__ import annotations

import os
import ssl
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from prometheus_client import CollectorRegistry

from gateway.cli._common import err_console, fail_validation
from gateway.config import load_settings
from gateway.config.settings import Settings
from gateway.delivery.outbox import Outbox
from gateway.errors import BrugError, BrugValidationError
from gateway.observability.logs import configure_logging
from gateway.observability.metrics_server import (
    MetricsListener,
    MultiProcessMetrics,
    serve_metrics,
)
from gateway.store.database import Store


def serve_command(
    config: Annotated[
        Path | None, typer.Option("--config", help="brug.toml (default: $BRUG_CONFIG)")
    ] = None,
    host: Annotated[str | None, typer.Option(help="override [server].host")] = None,
    port: Annotated[int | None, typer.Option(help="override [server].port", min=1)] = None,
    delivery: Annotated[
        bool, typer.Option("--delivery/--no-delivery", help="run the delivery worker in-process")
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, help="worker processes on one socket (>1 needs PostgreSQL)"
        ),
    ] = 1,
) -> None:
    """Serve the gateway with the configuration in brug.toml (see docs/operations.md)."""
    from gateway.service.app import create_app
    from gateway.service.context import build_context
    from gateway.service.factory import DELIVERY_ENV
    from gateway.service.http_protocol import IMPORT_PATH as HTTP_PROTOCOL
    from gateway.service.sample_data import refuse_sample_data

    try:
        settings = load_settings(config)
        # With --workers N the requests are served (and logged) by the worker processes; the
        # supervisor logs a few lines itself and keeps the direct handler.
        configure_logging(
            settings.logging.level,
            json_lines=settings.logging.as_json,
            background=settings.logging.background and workers == 1,
        )
        if workers > 1 and not settings.store.url.startswith("postgresql"):
            err_console.print(
                "error: --workers > 1 needs a PostgreSQL store ([store] url = "
                '"postgresql+psycopg://..."); SQLite has one writer per file',
                markup=False,
            )
            raise typer.Exit(2)
        context = build_context(settings)  # checks everything and migrates, once
        refuse_sample_data(settings.rules, context)
    except BrugValidationError as exc:
        fail_validation(exc)
    except (BrugError, OSError, ValueError) as exc:
        err_console.print(f"error: cannot start the gateway: {exc}", markup=False)
        raise typer.Exit(2) from None
    server = settings.server
    tls: dict[str, object] = {}
    if server.tls_cert is not None and server.tls_key is not None:
        tls = {"ssl_certfile": str(server.tls_cert), "ssl_keyfile": str(server.tls_key)}
        if server.client_ca is not None:
            # Client certificates are checked against the CA when presented (REST clients may
            # use a token instead); brug maps an accepted certificate to a configured client.
            tls |= {"ssl_ca_certs": str(server.client_ca), "ssl_cert_reqs": ssl.CERT_OPTIONAL}
    options: dict[str, object] = {
        "host": host or server.host,
        "port": port or server.port,
        "log_config": None,
        "access_log": False,
        # uvicorn's proxy headers would replace the TCP peer by the X-Forwarded-For address,
        # and brug could no longer tell that a forwarded client certificate came from a
        # trusted proxy (mTLS silently off): brug reads the peer itself (gateway.auth.mtls).
        "proxy_headers": False,
        # httptools with a bound on the request head (431 past 64 KB, before parsing it)
        "http": HTTP_PROTOCOL,
        **tls,
    }
    if sys.stdout.isatty():
        listen_port = port or server.port
        typer.echo(
            startup_line(
                host or server.host,
                listen_port,
                bool(tls),
                workers,
                delivery,
                metrics=settings.metrics.listen,
            )
        )
    if workers > 1:
        context.close()  # each worker builds its own (store connections do not survive fork)
        if config is not None:
            os.environ["BRUG_CONFIG"] = str(config.resolve())
        os.environ[DELIVERY_ENV] = "1" if delivery else "0"
        _run_workers(settings, workers, options)
        return
    listener = _start_metrics(settings, context.metrics.registry)
    try:
        uvicorn.run(create_app(context, delivery=delivery), **options)  # type: ignore[arg-type]
    finally:
        if listener is not None:
            listener.close()
        context.close()


def _run_workers(settings: Settings, workers: int, options: dict[str, object]) -> None:
    """uvicorn's supervisor with N workers; the supervisor serves the summed metrics."""
    from gateway.service.factory import FACTORY

    store = Store(settings.store.url)
    shared = MultiProcessMetrics.start(Outbox(store).pending_by_partner)
    listener = _start_metrics(settings, shared.registry)
    try:
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)  # type: ignore[arg-type]
    finally:
        if listener is not None:
            listener.close()
        shared.close()
        store.dispose()


def _start_metrics(settings: Settings, registry: CollectorRegistry) -> MetricsListener | None:
    address = settings.metrics.address()
    if address is None:
        return None
    try:
        return serve_metrics(registry, *address)
    except OSError as exc:
        err_console.print(
            f"error: cannot serve metrics on {settings.metrics.listen} ([metrics] listen): "
            f"{exc.strerror or exc}",
            markup=False,
        )
        raise typer.Exit(2) from None


def startup_line(
    host: str, port: int, tls: bool, workers: int, delivery: bool, *, metrics: str = ""
) -> str:
    """What a person at a terminal needs first: where brug listens and where its docs are.

    Printed on stdout only when stdout is a terminal: under a supervisor or a pipe the logs are
    the whole output (JSON lines when ``[logging] json``).
    """
    scheme = "https" if tls else "http"
    shown = "localhost" if host in ("127.0.0.1", "localhost") else host
    if ":" in shown:
        shown = f"[{shown}]"
    base = f"{scheme}://{shown}:{port}"
    anywhere = " (all interfaces)" if host in ("0.0.0.0", "::") else ""  # noqa: S104
    processes = f"{workers} worker processes" if workers > 1 else "1 process"
    worker = "delivery worker on" if delivery else "no delivery worker (--no-delivery)"
    return (
        f"brug listening on {base}{anywhere}: REST {base}/v1, SOAP {base}/soap/gateway/v1, "
        f"API docs {base}/docs, health {base}/healthz, "
        f"{f'metrics http://{metrics}/metrics' if metrics else 'no metrics listener'}; "
        f"{processes}, {worker}. Ctrl+C stops."
    )


def register(root: typer.Typer) -> None:
    root.command("serve")(serve_command)
