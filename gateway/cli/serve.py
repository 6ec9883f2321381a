"""``brug serve``: run the gateway (REST + SOAP + operations + delivery worker) under uvicorn."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gateway.cli._common import err_console, fail_validation
from gateway.config import load_settings
from gateway.errors import BrugError, BrugValidationError
from gateway.observability.logs import configure_logging


def serve_command(
    config: Annotated[
        Path | None, typer.Option("--config", help="brug.toml (default: $BRUG_CONFIG)")
    ] = None,
    host: Annotated[str | None, typer.Option(help="override [server].host")] = None,
    port: Annotated[int | None, typer.Option(help="override [server].port", min=1)] = None,
    delivery: Annotated[
        bool, typer.Option("--delivery/--no-delivery", help="run the delivery worker in-process")
    ] = True,
) -> None:
    """Serve the gateway with the configuration in brug.toml (see docs/operations.md)."""
    from gateway.service.app import create_app
    from gateway.service.context import build_context

    try:
        settings = load_settings(config)
        configure_logging(settings.logging.level, json_lines=settings.logging.as_json)
        context = build_context(settings)
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
    try:
        uvicorn.run(
            create_app(context, delivery=delivery),
            host=host or server.host,
            port=port or server.port,
            log_config=None,
            access_log=False,
            proxy_headers=bool(server.trusted_proxies),
            forwarded_allow_ips=",".join(str(n) for n in server.trusted_proxies) or None,
            **tls,  # type: ignore[arg-type]
        )
    finally:
        context.close()


def register(root: typer.Typer) -> None:
    root.command("serve")(serve_command)
