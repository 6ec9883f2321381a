"""``brug conformance run`` and ``brug conformance list``: the endpoint conformance suite.

``gateway/cli/conformance.py`` (the ``conformance`` command group) calls
:func:`register_run` on its Typer app. Exit codes: 0 every case passed, 1 some case failed,
2 bad arguments, a bad catalogue or an unreachable target (with a message saying which).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from cryptography import x509
from rich.console import Console
from rich.table import Table

from conformance.endpoint.catalogue import (
    Catalogue,
    CatalogueError,
    catalogue_path,
    load_catalogue,
    load_catalogue_file,
)
from conformance.endpoint.identities import Identity, load_identity
from conformance.endpoint.reports.html import write_html
from conformance.endpoint.reports.junit import write_junit
from conformance.endpoint.reports.links import DocsUrlError, check_docs_url
from conformance.endpoint.reports.terminal import case_line, print_summary
from conformance.endpoint.runner import CaseResult, RunConfig, TargetUnreachableError, run_suite
from conformance.endpoint.transport import TlsSetupError
from conformance.endpoint.wsdl import WSDL_OPERATION
from gateway.xml import schemas

EXIT_BAD_ARGUMENTS = 2
_console = Console()
_errors = Console(stderr=True)


def _bad(message: str) -> NoReturn:
    _errors.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_ARGUMENTS)


def _catalogue(service: str, path: Path | None) -> Catalogue:
    if service not in schemas.wsdls():
        _bad(f"unknown service {service!r}; known: {', '.join(sorted(schemas.wsdls()))}")
    try:
        return load_catalogue_file(path, service) if path else load_catalogue(service)
    except CatalogueError as exc:
        _bad(f"bad catalogue: {exc}")


def _existing(path: Path | None, what: str) -> None:
    if path is not None and not path.is_file():
        _bad(f"{what} {path} does not exist")


def _certificates(path: Path | None, what: str) -> None:
    """A missing file or one without a PEM certificate is one error line, not a traceback."""
    if path is None:
        return
    _existing(path, what)
    try:
        x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        _bad(f"{what} is not a PEM certificate ({path})")


def _identity(name: str, cert: Path, key: Path, profile: str, password: str | None) -> Identity:
    _existing(cert, "certificate")
    _existing(key, "key")
    try:
        return load_identity(name, cert, key, profile, password)
    except (ValueError, TypeError) as exc:
        _bad(f"cannot load the key and certificate of {name}: {exc}")


def _identities(
    catalogue: Catalogue,
    caller: str | None,
    cert: Path | None,
    key: Path | None,
    profile: str | None,
    password: str | None,
    extra: list[str],
) -> dict[str, Identity]:
    found: dict[str, Identity] = {}
    if (cert is None) != (key is None):
        _bad("--cert and --key go together")
    name = caller or catalogue.default_caller
    if name not in catalogue.callers:
        _bad(f"--as {name!r}: this service's callers are {', '.join(catalogue.callers)}")
    if cert is not None and key is not None:
        chosen = profile or catalogue.callers[name].profile
        found[name] = _identity(name, cert, key, chosen, password)
    for spec in extra:
        other, _, files = spec.partition("=")
        cert_text, _, key_text = files.partition(",")
        if not (other and cert_text and key_text):
            _bad(f"--identity {spec!r}: expected NAME=CERT.pem,KEY.pem")
        if other not in catalogue.callers:
            _bad(f"--identity {other!r}: this service's callers are {', '.join(catalogue.callers)}")
        found[other] = _identity(
            other, Path(cert_text), Path(key_text), catalogue.callers[other].profile, password
        )
    return found


def _needs_trust(catalogue: Catalogue, case_ids: list[str]) -> bool:
    return any(case.needs_verified_answer for case in catalogue.select(case_ids))


def _insecure_warning(target: str) -> None:
    """Said before and after the run, on stderr: an unverified peer must not go unnoticed."""
    if target.startswith("https://"):
        what = f"the TLS certificate of {target} is NOT verified"
    else:
        what = f"{target} is plain HTTP: there is no TLS certificate to verify"
    _errors.print(
        f"WARNING: --insecure: {what}; anyone on the path could have answered this run",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _progress(result: CaseResult) -> None:
    if not _console.is_terminal:
        _console.print(case_line(result), markup=False, highlight=False, soft_wrap=True)


def run_command(
    target: Annotated[str, typer.Option(help="the endpoint URL (its WSDL is at URL?wsdl)")],
    service: Annotated[str, typer.Option(help="WSDL name from schemas/catalog.toml")],
    cert: Annotated[Path | None, typer.Option(help="your certificate (PEM)")] = None,
    key: Annotated[Path | None, typer.Option(help="your private key (PEM, or .p12)")] = None,
    password: Annotated[str | None, typer.Option(help="password of the key / .p12")] = None,
    caller: Annotated[
        str | None, typer.Option("--as", help="caller the --cert/--key belong to")
    ] = None,
    identity: Annotated[
        list[str] | None,
        typer.Option(help="another caller's credentials: NAME=CERT.pem,KEY.pem (repeatable)"),
    ] = None,
    trust: Annotated[
        list[Path] | None, typer.Option(help="CA certificate(s) the peer's answers chain to")
    ] = None,
    peer_cert: Annotated[
        Path | None, typer.Option(help="the peer's signing certificate: answers must use it")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="WS-Security profile you sign with (default: the case's)")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="write DIR/junit.xml and DIR/report.html")
    ] = None,
    case: Annotated[
        list[str] | None, typer.Option(help="run only this case id (repeatable)")
    ] = None,
    catalogue_file: Annotated[
        Path | None, typer.Option("--catalogue", help="a catalogue YAML instead of the shipped one")
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds per HTTP request")] = 30.0,
    ca: Annotated[
        list[Path] | None,
        typer.Option(
            "--ca", help="CA certificate (PEM) the target's TLS certificate chains to (repeatable)"
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option(help="TLS client certificate (PEM) for mutual TLS")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="key (PEM) of --tls-cert")] = None,
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure", help="do not verify the target's TLS certificate (reported loudly)"
        ),
    ] = False,
    docs_url: Annotated[
        str | None,
        typer.Option(
            help="where report.html links rule references such as docs/x.md#y "
            "(URL or path of the docs/ directory; default: the repository's docs/, relative)"
        ),
    ] = None,
) -> None:
    """Run the conformance catalogue of SERVICE against the endpoint at TARGET.

    Over HTTPS the target's certificate is verified against the system's CAs and each --ca;
    --tls-cert/--tls-key present a client certificate (mutual TLS). --tls-cert/--tls-key are
    the TLS identity; --cert/--key sign the SOAP messages (they may be the same files).
    """
    catalogue = _catalogue(service, catalogue_file)
    case_ids = list(case or [])
    try:
        selected = catalogue.select(case_ids)
    except KeyError as exc:
        _bad(str(exc.args[0]))
    identities = _identities(catalogue, caller, cert, key, profile, password, list(identity or []))
    soap_cases = [c for c in selected if c.operation != WSDL_OPERATION]
    if soap_cases and not identities:
        _bad("--cert and --key are required to sign the requests")
    for path in trust or []:
        _certificates(path, "trust anchor")
    _certificates(peer_cert, "peer certificate")
    if not trust and _needs_trust(catalogue, case_ids):
        _bad("--trust CA.pem is required to verify the signed answers")
    if not target.startswith(("http://", "https://")):
        _bad(f"--target {target!r} is not an http(s) URL")
    if (tls_cert is None) != (tls_key is None):
        _bad("--tls-cert and --tls-key go together")
    for path in ca or []:
        _certificates(path, "CA certificate")
    _existing(tls_cert, "TLS client certificate")
    _existing(tls_key, "TLS client key")
    if insecure and ca:
        _bad("--insecure and --ca contradict each other: --ca verifies, --insecure does not")
    if insecure:
        _insecure_warning(target)
    try:
        docs_base = check_docs_url(docs_url) if docs_url is not None else None
    except DocsUrlError as exc:
        _bad(str(exc))
    config = RunConfig(
        target=target.rstrip("?"),
        catalogue=catalogue,
        identities=identities,
        trust=tuple(trust or ()),
        peer_cert=peer_cert,
        case_ids=tuple(case_ids),
        timeout=timeout,
        verify_tls=not insecure,
        tls_ca=tuple(ca or ()),
        tls_cert=tls_cert,
        tls_key=tls_key,
    )
    try:
        result = run_suite(config, progress=_progress)
    except (TargetUnreachableError, TlsSetupError) as exc:
        _bad(str(exc))
    # piped or captured: a wide console, so reasons and rules stay whole for grep
    print_summary(result, _console if _console.is_terminal else Console(width=160))
    if insecure:
        _insecure_warning(target)
    if report is not None:
        junit = write_junit(result, report / "junit.xml")
        html = write_html(result, report / "report.html", docs_base)
        _console.print(f"reports: {junit} and {html}", markup=False, highlight=False)
    raise typer.Exit(result.exit_code)


def list_command(
    service: Annotated[
        str | None, typer.Option(help="WSDL name (default: every service with a catalogue)")
    ] = None,
    catalogue_file: Annotated[
        Path | None, typer.Option("--catalogue", help="a catalogue YAML instead of the shipped one")
    ] = None,
) -> None:
    """List the conformance cases of one service or of all of them."""
    names = [service] if service else sorted(schemas.wsdls())
    for name in names:
        if service is None and catalogue_file is None and not catalogue_path(name).is_file():
            continue
        catalogue = _catalogue(name, catalogue_file)
        table = Table(title=f"{name}: {len(catalogue.cases)} cases")
        table.add_column("case", no_wrap=True)
        for column in ("operation", "caller", "rule", "title"):
            table.add_column(column, overflow="fold")
        for c in catalogue.cases:
            table.add_row(c.id, c.operation, catalogue.caller_of(c), c.rule, c.title)
        _console.print(table)


def register_run(app: typer.Typer) -> None:
    """Add ``run`` and ``list`` to the ``brug conformance`` group."""
    app.command("run")(run_command)
    app.command("list")(list_command)
