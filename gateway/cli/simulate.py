"""``brug simulate brussels|federal``: run a partner simulator on loopback.

Each simulator is a real signed SOAP server (see docs/simulators.md): the gateway, the tests
and the demo talk to it over a socket exactly as they would to Fidus or KSZ/MAGDA. Heavy
imports (uvicorn, Starlette, the seed) happen inside the commands so that ``brug --help`` stays
fast.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from gateway.cli._common import EXIT_INVALID, err_console

NAME = "simulate"

app = typer.Typer(
    name=NAME,
    help="Run a partner simulator (Brussels BEV or federal career breaks) on loopback.",
    no_args_is_help=True,
)

Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port on 127.0.0.1.")]
PkiDir = Annotated[
    Path,
    typer.Option("--pki", exists=True, file_okay=False, help="Dev PKI directory (brug pki init)."),
]
GatewayCert = Annotated[
    Path | None,
    typer.Option("--gateway-cert", exists=True, dir_okay=False, help="Pin this gateway cert."),
]
LatencyMs = Annotated[int, typer.Option("--latency-ms", min=0, max=60_000)]
FailRatio = Annotated[float, typer.Option("--fail-ratio", min=0.0, max=1.0)]
FaultSeed = Annotated[int | None, typer.Option("--fault-seed", help="Seed of injected failures.")]
Host = Annotated[str, typer.Option("--host", help="Loopback address to bind (127.0.0.1 or ::1).")]
TlsCert = Annotated[
    Path | None,
    typer.Option("--tls-cert", dir_okay=False, help="Serve HTTPS with this certificate (PEM)."),
]
TlsKey = Annotated[
    Path | None, typer.Option("--tls-key", dir_okay=False, help="Key (PEM) of --tls-cert.")
]
ClientCa = Annotated[
    Path | None,
    typer.Option(
        "--client-ca",
        dir_okay=False,
        help="Mutual TLS: clients must present a certificate this CA (PEM) signed.",
    ),
]


@dataclass(frozen=True, slots=True)
class _Tls:
    cert: Path | None
    key: Path | None
    client_ca: Path | None

    def options(self) -> dict[str, Any]:
        """uvicorn's ssl_* options; checked here so a bad file is one line, not a traceback."""
        if self.cert is None and self.key is None:
            if self.client_ca is not None:
                _fail("--client-ca needs --tls-cert and --tls-key (mutual TLS is TLS)")
            return {}
        if self.cert is None or self.key is None:
            _fail("--tls-cert and --tls-key go together")
        _check_cert(self.cert, "--tls-cert")
        _check_key(self.key, "--tls-key")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(str(self.cert), str(self.key))
        except (OSError, ssl.SSLError) as exc:
            _fail(f"cannot serve TLS with {self.cert} and {self.key}: {_ssl_reason(exc)}")
        options: dict[str, Any] = {"ssl_certfile": str(self.cert), "ssl_keyfile": str(self.key)}
        if self.client_ca is not None:
            _check_cert(self.client_ca, "--client-ca")
            try:
                context.load_verify_locations(cafile=str(self.client_ca))
            except (OSError, ssl.SSLError) as exc:
                _fail(f"cannot use {self.client_ca} as the client CA: {_ssl_reason(exc)}")
            options |= {"ssl_ca_certs": str(self.client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
        return options


def _ssl_reason(exc: OSError | ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLError):
        if exc.reason == "KEY_VALUES_MISMATCH":
            return "the key does not belong to the certificate"
        return str(exc.reason or exc.strerror or exc)
    return exc.strerror or str(exc)


def _check_cert(path: Path, what: str) -> None:
    """One line naming the file if ``path`` is missing or holds no PEM certificate."""
    from cryptography import x509

    try:
        x509.load_pem_x509_certificate(path.read_bytes())
    except OSError as exc:
        _fail(f"cannot read {what} ({path}): {exc.strerror or exc}")
    except ValueError:
        _fail(f"{what} is not a PEM certificate ({path})")


def _check_key(path: Path, what: str) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        _fail(f"cannot read {what} ({path}): {exc.strerror or exc}")
    except (ValueError, TypeError):
        _fail(f"{what} is not an unencrypted PEM private key ({path})")


def _check_pki(pki: Path, party: str, gateway_cert: Path | None) -> None:
    """The files a simulator reads from ``--pki``, checked before anything starts."""
    if not (pki / "ca.pem").is_file():
        _fail(f"--pki holds no ca.pem: is it a directory made by `brug pki init`? ({pki})")
    _check_cert(pki / "ca.pem", "the dev CA")
    _check_cert(pki / f"{party}.pem", f"the {party} certificate")
    _check_key(pki / f"{party}.key", f"the {party} key")
    if gateway_cert is not None:
        _check_cert(gateway_cert, "--gateway-cert")


def _fail(message: str) -> NoReturn:
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_INVALID)


def _loopback(host: str) -> str:
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise typer.BadParameter("simulators bind loopback addresses only", param_hint="--host")


def _serve(asgi: Any, host: str, port: int, tls: _Tls) -> None:
    import uvicorn

    options = tls.options()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False, **options)


def _faults(latency_ms: int, fail_ratio: float, seed: int | None) -> Any:
    from adapters.simulation.faults import FaultSettings

    return FaultSettings(latency_ms=latency_ms, fail_ratio=fail_ratio, seed=seed)


@app.command("brussels")
def brussels(
    port: Port,
    pki: PkiDir,
    db: Annotated[
        Path | None, typer.Option("--db", dir_okay=False, help="SQLite file (default: memory).")
    ] = None,
    gateway_cert: GatewayCert = None,
    latency_ms: LatencyMs = 0,
    fail_ratio: FailRatio = 0.0,
    fault_seed: FaultSeed = None,
    host: Host = "127.0.0.1",
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    client_ca: ClientCa = None,
) -> None:
    """Brussels BEV service: ReceiveBevRecord (stored once per message id), GetBevRecord."""
    from adapters.brussels.simulator.service import BrusselsSimulatorConfig, build_app

    config = BrusselsSimulatorConfig(
        pki_dir=pki,
        db_path=db,
        gateway_cert=gateway_cert,
        faults=_faults(latency_ms, fail_ratio, fault_seed),
    )
    _check_pki(pki, "brussels", gateway_cert)
    tls = _Tls(tls_cert, tls_key, client_ca)
    tls.options()  # bad TLS files are reported before anything starts
    try:
        asgi, _ = build_app(config)
    except (OSError, ValueError) as exc:
        _fail(f"cannot start the Brussels simulator: {exc}")
    _serve(asgi, _loopback(host), port, tls)


@app.command("federal")
def federal(
    pki: PkiDir,
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 0,
    db: Annotated[
        Path | None, typer.Option("--db", help="Accepted for symmetry; data is seeded.")
    ] = None,
    gateway_cert: GatewayCert = None,
    seed: Annotated[int, typer.Option("--seed")] = 2025,
    workers: Annotated[int, typer.Option("--workers", min=1, max=100_000)] = 3000,
    feed_size: Annotated[int, typer.Option("--feed-size", min=1, max=100_000)] = 200,
    push_to: Annotated[
        str | None, typer.Option("--push-to", help="Push mutations to this gateway URL and exit.")
    ] = None,
    count: Annotated[int, typer.Option("--count", min=1, max=100_000)] = 10,
    latency_ms: LatencyMs = 0,
    fail_ratio: FailRatio = 0.0,
    fault_seed: FaultSeed = None,
    host: Host = "127.0.0.1",
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    client_ca: ClientCa = None,
) -> None:
    """Federal career breaks: GetCareerBreaks over seeded data; mutation feed.

    With --push-to, push --count mutations (signed, ksz profile) to the gateway and exit
    instead of serving.
    """
    if push_to is not None:
        _check_pki(pki, "federal", gateway_cert)
        _push(pki, gateway_cert, push_to, count, seed, workers)
        return
    if port == 0:
        raise typer.BadParameter("--port is required to serve", param_hint="--port")
    from adapters.federal.simulator.service import FederalSimulatorConfig, build_app

    config = FederalSimulatorConfig(
        pki_dir=pki,
        gateway_cert=gateway_cert,
        seed=seed,
        workers=workers,
        feed_size=max(feed_size, count),
        faults=_faults(latency_ms, fail_ratio, fault_seed),
    )
    _check_pki(pki, "federal", gateway_cert)
    tls = _Tls(tls_cert, tls_key, client_ca)
    tls.options()
    try:
        asgi, dataset, _ = build_app(config)
    except (OSError, ValueError) as exc:
        _fail(f"cannot start the federal simulator: {exc}")
    typer.echo(json.dumps({"simulator": "federal", "port": port, **dataset.summary()}))
    _serve(asgi, _loopback(host), port, tls)


def _push(
    pki: Path, gateway_cert: Path | None, url: str, count: int, seed: int, workers: int
) -> None:
    from adapters.federal.seed import generate, mutation_feed
    from adapters.federal.simulator.mutations import MutationFeed
    from adapters.federal.simulator.service import PARTY, PROFILE
    from adapters.simulation.credentials import signer_for, verifier_for

    feed = MutationFeed(mutation_feed(generate(seed, workers), count))
    try:
        result = feed.push(
            url,
            signer_for(pki, PARTY, PROFILE),
            verifier_for(pki, PROFILE, pin=gateway_cert),
            count,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--push-to") from None
    typer.echo(json.dumps(result))
    if "error" in result:
        raise typer.Exit(1)
