"""Run one delivery worker process: ``python -m gateway.delivery.runner --url ... --partner``.

The gateway service will embed :class:`DeliveryWorker` itself; this entry point exists so that
workers can be started (and killed) as separate processes by operators, tests and benchmarks.
It prints one JSON line with the totals when it stops.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta
from types import FrameType

from gateway.delivery.http_transport import HttpTransport, PartnerEndpoint
from gateway.delivery.outbox import Outbox
from gateway.delivery.policy import DeliveryPolicy, PartnerPolicy
from gateway.delivery.worker import DeliveryWorker, WorkerReport
from gateway.store.database import Store


def parse_partners(specs: Sequence[str]) -> dict[str, PartnerEndpoint]:
    """``NAME=URL`` pairs; a malformed pair is a usage error, not a crash."""
    endpoints: dict[str, PartnerEndpoint] = {}
    for spec in specs:
        name, sep, url = spec.partition("=")
        if not sep or not name or not url.startswith(("http://", "https://")):
            raise ValueError(f"expected NAME=http(s)://URL, got {spec!r}")
        endpoints[name] = PartnerEndpoint(url)
    return endpoints


def run_worker(
    url: str,
    endpoints: dict[str, PartnerEndpoint],
    *,
    owner: str | None = None,
    batch_size: int = 50,
    lease: timedelta = timedelta(seconds=60),
    until_drained: bool = False,
    policy: DeliveryPolicy | None = None,
    stop: threading.Event | None = None,
) -> WorkerReport:
    store = Store(url)
    transport = HttpTransport(endpoints)
    try:
        worker = DeliveryWorker(
            Outbox(store),
            transport,
            clock=store.clock,
            policy=policy,
            owner=owner,
            batch_size=batch_size,
            lease=lease,
        )
        return worker.run(stop=stop, until_drained=until_drained)
    finally:
        transport.close()
        store.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.delivery.runner")
    parser.add_argument("--url", required=True)
    parser.add_argument("--partner", action="append", default=[], help="NAME=URL")
    parser.add_argument("--owner")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--lease", type=float, default=60.0, help="seconds")
    parser.add_argument("--until-drained", action="store_true")
    parser.add_argument("--max-attempts", type=int, default=12)
    parser.add_argument("--backoff-initial", type=float, default=2.0, help="seconds")
    parser.add_argument("--backoff-max", type=float, default=1800.0, help="seconds")
    parser.add_argument("--breaker-failures", type=int, default=5)
    parser.add_argument("--breaker-reset", type=float, default=30.0, help="seconds")
    args = parser.parse_args(argv)
    policy = DeliveryPolicy(
        default=PartnerPolicy(
            max_attempts=args.max_attempts,
            backoff_initial=timedelta(seconds=args.backoff_initial),
            backoff_max=timedelta(seconds=args.backoff_max),
            backoff_jitter=timedelta(seconds=min(1.0, args.backoff_initial)),
            breaker_failures=args.breaker_failures,
            breaker_reset=timedelta(seconds=args.breaker_reset),
        )
    )
    try:
        endpoints = parse_partners(args.partner)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def _graceful(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _graceful)
    report = run_worker(
        args.url,
        endpoints,
        owner=args.owner,
        batch_size=args.batch,
        lease=timedelta(seconds=args.lease),
        until_drained=args.until_drained,
        policy=policy,
        stop=stop,
    )
    print(json.dumps(asdict(report)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
