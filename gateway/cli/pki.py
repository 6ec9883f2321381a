"""``brug pki``: a development PKI for demos, tests and interop harnesses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli._common import EXIT_INVALID, console, err_console, fail_validation
from gateway.wssecurity.pki import LOOPBACK_NAMES, P12_PASSWORD, init_pki

NAME = "pki"
app = typer.Typer(help="Development PKI (never for production keys).", no_args_is_help=True)


def _configured_hosts(config: Path) -> list[str]:
    """[server] host (unless a wildcard) and the host of [auth] token_url, from ``config``.

    The files the configuration names are not checked: they are the ones about to be made.
    """
    from urllib.parse import urlsplit

    from gateway.config import load_settings
    from gateway.errors import BrugValidationError

    try:
        settings = load_settings(config, check_files=False)
    except BrugValidationError as exc:
        fail_validation(exc)
    found = [str(settings.server.host)]
    token_host = urlsplit(str(settings.auth.token_url)).hostname
    if token_host:
        found.append(token_host)
    return [h for h in found if h not in ("0.0.0.0", "::", "")]  # noqa: S104


@app.command("init")
def init(
    directory: Annotated[Path, typer.Argument(help="Directory to write the PKI into.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing PKI.")] = False,
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            help="Another host name or address the certificates are valid for (repeatable; "
            "localhost, 127.0.0.1 and ::1 always are).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            dir_okay=False,
            help="Also make them valid for the hosts this brug.toml serves on: its [server] "
            "host and the host of its [auth] token_url.",
        ),
    ] = None,
) -> None:
    """Create a dev CA, partner certificates (PEM + PKCS#12), an untrusted and an expired one.

    Every certificate is valid, for TLS, for localhost, 127.0.0.1, ::1, each --host and the
    hosts of --config.
    """
    hosts = list(host or ()) + (_configured_hosts(config) if config is not None else [])
    if (directory / "ca.pem").exists() and not force:
        err_console.print(
            f"error: {directory} already holds a PKI (use --force to replace it)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INVALID)
    try:
        layout = init_pki(directory, hosts)
    except OSError as exc:
        err_console.print(
            f"error: cannot write the PKI ({directory}): {exc.strerror}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INVALID) from None
    table = Table(title=f"development PKI in {layout.root}")
    table.add_column("party")
    table.add_column("key")
    table.add_column("certificate")
    table.add_column("PKCS#12")
    table.add_row("CA", layout.ca_key.name, layout.ca_cert.name, "")
    for party in layout.parties.values():
        table.add_row(party.name, party.key.name, party.cert.name, party.p12.name)
    console.print(table)
    console.print(f"PKCS#12 password: {P12_PASSWORD} (development only)")
    names = ", ".join(dict.fromkeys([*LOOPBACK_NAMES, *hosts]))
    console.print(f"TLS host names: NAME.brug.test, {names}", markup=False, highlight=False)
