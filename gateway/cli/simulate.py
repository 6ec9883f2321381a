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
from pathlib import Path
from typing import Annotated, Any

import typer

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


def _loopback(host: str) -> str:
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise typer.BadParameter("simulators bind loopback addresses only", param_hint="--host")


def _serve(asgi: Any, host: str, port: int) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(asgi, host=host, port=port, log_level="warning", access_log=False)


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
) -> None:
    """Brussels BEV service: ReceiveBevRecord (stored once per message id), GetBevRecord."""
    from adapters.brussels.simulator.service import BrusselsSimulatorConfig, build_app

    config = BrusselsSimulatorConfig(
        pki_dir=pki,
        db_path=db,
        gateway_cert=gateway_cert,
        faults=_faults(latency_ms, fail_ratio, fault_seed),
    )
    asgi, _ = build_app(config)
    _serve(asgi, _loopback(host), port)


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
) -> None:
    """Federal career breaks: GetCareerBreaks over seeded data; mutation feed.

    With --push-to, push --count mutations (signed, ksz profile) to the gateway and exit
    instead of serving.
    """
    if push_to is not None:
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
    asgi, dataset, _ = build_app(config)
    typer.echo(json.dumps({"simulator": "federal", "port": port, **dataset.summary()}))
    _serve(asgi, _loopback(host), port)


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
