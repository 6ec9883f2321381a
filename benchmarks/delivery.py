"""Benchmark of durable delivery: enqueue cost against a bare insert, delivery throughput.

    python benchmarks/delivery.py [--pg-url postgresql+psycopg://postgres@127.0.0.1/test]
                                  [--enqueues 1000] [--deliveries 6000] [--outage 1000]

Everything runs on loopback: a scratch SQLite file in a temporary directory, a scratch
PostgreSQL database (created and dropped here), a loopback HTTP partner in this process and
worker processes started with ``python -m gateway.delivery.runner``. Counts are bounded and every
wait has a deadline, so a run ends in about a minute.

1. Durable enqueue rate (one committed, fsynced transaction per message) beside the same run's
   bare-insert rate into a copy of the outbox table in the same store (the floor: one plain
   INSERT + COMMIT per row with the same indexes). Target: outbox time <= 1.5x the floor.
2. Delivery rate to the loopback partner with 1 and 3 worker processes on PostgreSQL
   (target >= 2,000/s with 3). "steady" uses the first and last ``delivered_at``; "wall"
   includes process start-up.
3. Recovery: the partner is down (503) until every entry has failed once and the circuits are
   open, then comes back; the time until the outbox is empty.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this script's folder would come first on sys.path and
    # benchmarks/gateway.py would shadow the ``gateway`` package: put the repository root there.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from gateway.delivery import Outbox, OutboxStatus
from gateway.delivery.loopback import LoopbackPartner
from gateway.store import Store, content_digest
from gateway.store.tables import OutboxRow

PAYLOAD = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/>'
    + b"<soap:Body>"
    + b"x" * 3000
    + b"</soap:Body></soap:Envelope>"
)  # about the size of a signed KSZ-BCSS message


@contextmanager
def scratch_pg(admin_url: str) -> Iterator[str]:
    name = f"brug_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def enqueue_rates(url: str, n: int) -> tuple[float, float]:
    """(outbox enqueues/s, bare inserts/s), interleaved in rounds so drift hits both alike."""
    store = Store(url)
    store.upgrade()
    floor = OutboxRow.__table__.to_metadata(MetaData(), name="bench_floor")
    for item in [*floor.indexes, *floor.constraints]:  # same indexes, their own names
        if isinstance(item.name, str):
            item.name = f"floor_{item.name}"
    floor.create(store.engine)
    outbox = Outbox(store)
    outbox_time = floor_time = 0.0
    rounds = 5
    per_round = n // rounds
    for r in range(rounds):
        start = time.perf_counter()
        for i in range(per_round):
            outbox.enqueue(partner="bev", message_id=f"e{r}-{i}", operation="op", payload=PAYLOAD)
        outbox_time += time.perf_counter() - start
        start = time.perf_counter()
        for i in range(per_round):
            now = store.clock()
            with store.engine.begin() as conn:  # the floor: a plain insert and a commit
                conn.execute(
                    insert(floor).values(
                        message_id=f"f{r}-{i}",
                        partner="bev",
                        operation="op",
                        payload=PAYLOAD,
                        digest=content_digest(PAYLOAD),
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        floor_time += time.perf_counter() - start
    store.dispose()
    done = rounds * per_round
    return done / outbox_time, done / floor_time


def spawn_workers(url: str, partner_url: str, k: int, *extra: str) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.delivery.runner",
                "--url",
                url,
                "--partner",
                f"bev={partner_url}",
                "--batch",
                "100",
                "--lease",
                "30",
                "--until-drained",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(k)
    ]


def wait_all(workers: list[subprocess.Popen[str]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for w in workers:
        try:
            w.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            w.kill()
            raise SystemExit("a worker did not finish in time") from None
        if w.returncode != 0:
            raise SystemExit(f"a worker failed: {w.stderr.read() if w.stderr else ''}")


def fill(store: Store, n: int, prefix: str) -> None:
    outbox = Outbox(store)
    with store.transaction() as tx:
        for i in range(n):
            outbox.enqueue(
                partner="bev", message_id=f"{prefix}-{i}", operation="op", payload=PAYLOAD, tx=tx
            )


def delivery_rate(url: str, n: int, k: int) -> tuple[float, float]:
    """(steady deliveries/s, wall deliveries/s) with ``k`` worker processes."""
    with LoopbackPartner() as partner:
        store = Store(url)
        with store.engine.begin() as conn:
            conn.execute(text("TRUNCATE outbox"))
        fill(store, n, f"d{k}")
        start = time.perf_counter()
        wait_all(spawn_workers(url, partner.url, k), timeout=120)
        wall = time.perf_counter() - start
        with store.transaction() as tx:
            first, last, count = tx.execute(
                select(
                    func.min(OutboxRow.delivered_at),
                    func.max(OutboxRow.delivered_at),
                    func.count(),
                ).where(OutboxRow.status == "delivered")
            ).one()
        store.dispose()
        if count != n:
            raise SystemExit(f"only {count} of {n} delivered")
        return n / max((last - first).total_seconds(), 1e-6), n / wall


def recovery_time(url: str, n: int) -> tuple[float, int]:
    """(seconds from the partner coming back to an empty outbox, requests refused meanwhile)."""
    with LoopbackPartner() as partner:
        store = Store(url)
        with store.engine.begin() as conn:
            conn.execute(text("TRUNCATE outbox"))
        fill(store, n, "r")
        partner.mode = "down"
        workers = spawn_workers(
            url,
            partner.url,
            3,
            "--backoff-initial",
            "0.5",
            "--backoff-max",
            "2",
            "--breaker-failures",
            "5",
            "--breaker-reset",
            "1",
            "--max-attempts",
            "100",
        )
        outbox = Outbox(store)
        # A 3 s outage: the first entries fail, the circuits open, the rest wait unsent.
        time.sleep(3.0)
        failed_requests = partner.total_received()
        deadline = time.monotonic() + 60
        partner.mode = "ok"
        back = time.perf_counter()
        while outbox.has_unfinished():
            if time.monotonic() > deadline:
                raise SystemExit("the outbox did not drain after the partner came back")
            time.sleep(0.01)
        elapsed = time.perf_counter() - back
        wait_all(workers, timeout=30)
        assert outbox.counts()[OutboxStatus.DELIVERED] == n
        store.dispose()
        return elapsed, failed_requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--enqueues", type=int, default=1000)
    parser.add_argument("--deliveries", type=int, default=6000)
    parser.add_argument("--outage", type=int, default=1000)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    print("running (about a minute)...", flush=True)

    def enqueue_row(label: str, url: str) -> None:
        outbox_rate, floor_rate = enqueue_rates(url, args.enqueues)
        ratio = floor_rate / outbox_rate
        note = f"bare insert {floor_rate:,.0f}/s; outbox/bare time {ratio:.2f}x (target <= 1.5x)"
        rows.append((f"enqueue, {label} (durable)", f"{outbox_rate:,.0f}/s", note))

    with tempfile.TemporaryDirectory() as tmp:
        enqueue_row("SQLite WAL", f"sqlite:///{Path(tmp) / 'bench.db'}")
    with scratch_pg(args.pg_url) as pg:
        enqueue_row("PostgreSQL", pg)
        for k in (1, 3):
            steady, wall = delivery_rate(pg, args.deliveries, k)
            target = " (target >= 2,000/s)" if k == 3 else ""
            note = f"{args.deliveries} messages; wall incl. start-up {wall:,.0f}/s{target}"
            rows.append((f"delivery, {k} worker process(es), PostgreSQL", f"{steady:,.0f}/s", note))
        seconds, refused = recovery_time(pg, args.outage)
        note = (
            f"{args.outage} messages, 3 workers; 3 s outage ({refused} requests hit it);"
            " breaker reset 1 s, backoff cap 2 s"
        )
        rows.append(("partner back -> outbox empty", f"{seconds:.2f} s", note))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>10}  notes")
    print("-" * (width + 90))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
