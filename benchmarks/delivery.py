"""Benchmark of durable delivery: enqueue cost against a bare insert, the drain to Brussels.

    python -m benchmarks.delivery [--pg-url postgresql+psycopg://postgres@127.0.0.1/test]
                                  [--enqueues 1000] [--backlog 20000] [--workers 2]

Everything runs on loopback: a scratch SQLite file in a temporary directory, a scratch
PostgreSQL database (created and dropped here), the Brussels simulator as its own process
(``brug simulate brussels``: it verifies each message, stores it and signs its answer) and
delivery workers started as an operator does, ``brug outbox work --config brug.toml``. Every
wait has a deadline.

1. Durable enqueue rate (one committed, fsynced transaction per message) beside the same run's
   bare-insert rate into a copy of the outbox table in the same store (the floor: one plain
   INSERT + COMMIT per row with the same indexes). Target: outbox time <= 1.5x the floor.
2. Drain: a backlog of unsigned ``ReceiveBevRecord`` envelopes in the outbox, delivered by
   ``--workers`` worker processes through the one transport (sign each attempt, send, verify the
   signed answer, audit). Target >= 500 messages/s with 2 workers. The same run's floor is the
   partner alone: the same number of client threads signing and posting the same kind of
   envelopes straight to the simulator (``BrusselsClient.send``), no outbox, no audit.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this script's folder would come first on sys.path and
    # benchmarks/gateway.py would shadow the ``gateway`` package: put the repository root there.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from sqlalchemy import MetaData, func, insert, select

from adapters.brussels.client import BRUSSELS_PARTY, GATEWAY_PARTY, BrusselsClient
from adapters.simulation.credentials import signer_for, verifier_for
from adapters.simulation.process import RunningProcess, free_port, start_simulator
from benchmarks._scratch_pg import scratch_pg
from gateway.delivery import Outbox, OutboxStatus
from gateway.demo.stack import demo_config
from gateway.models.bev import BevRecord
from gateway.models.header import MessageHeader
from gateway.store import Store, content_digest
from gateway.store.tables import OutboxRow
from gateway.wssecurity.pki import PkiLayout, init_pki

PAYLOAD = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/>'
    + b"<soap:Body>"
    + b"x" * 3000
    + b"</soap:Body></soap:Envelope>"
)  # about the size of a BEV message


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


def envelopes(client: BrusselsClient, n: int) -> list[tuple[str, bytes]]:
    """``n`` distinct unsigned ReceiveBevRecord envelopes (message id, bytes)."""
    example = Path(__file__).resolve().parents[1] / "examples" / "bev-record.json"
    record = BevRecord.model_validate_json(example.read_text(encoding="utf-8"))
    out = []
    for _ in range(n):
        header = MessageHeader(
            message_id=uuid4(),
            timestamp=datetime.now(UTC),
            sender=GATEWAY_PARTY,
            recipient=BRUSSELS_PARTY,
            purpose="BEV_DELIVERY",
        )
        out.append((str(header.message_id), client.build_receive_request(record, header)))
    return out


def fill(url: str, items: list[tuple[str, bytes]]) -> None:
    store = Store(url)
    store.upgrade()
    outbox = Outbox(store)
    for start in range(0, len(items), 1000):
        with store.transaction() as tx:
            for message_id, payload in items[start : start + 1000]:
                outbox.enqueue(
                    partner="brussels",
                    message_id=message_id,
                    operation="ReceiveBevRecord",
                    payload=payload,
                    tx=tx,
                )
    store.dispose()


def drain_rate(
    workdir: Path, pki: PkiLayout, url: str, sim_url: str, n: int, k: int
) -> tuple[float, float, int]:
    """(steady messages/s, wall messages/s incl. start-up, dead) for ``k`` worker processes."""
    config = demo_config(workdir, pki, free_port(), sim_url, "http://127.0.0.1:9/unused")
    config = config.replace(f'url = "sqlite:///{workdir / "brug.db"}"', f'url = "{url}"')
    config += "\n[delivery]\nbatch_size = 100\n"
    path = workdir / "bench.toml"
    path.write_text(config, encoding="utf-8")
    client = BrusselsClient(
        sim_url,
        signer_for(pki.root, "flanders", "strict"),
        verifier_for(pki.root, "strict", pin=pki["brussels"].cert),
    )
    fill(url, envelopes(client, n))
    client.close()
    start = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway",
                "outbox",
                "work",
                "--config",
                str(path),
                "--until-drained",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / f"work-{i}.log").open("wb"),
        )
        for i in range(k)
    ]
    for worker in workers:
        worker.wait(timeout=max(120, n / 20))
    wall = time.perf_counter() - start
    store = Store(url)
    with store.transaction() as tx:
        first, last = tx.execute(
            select(func.min(OutboxRow.delivered_at), func.max(OutboxRow.delivered_at))
        ).one()
    counts = Outbox(store).counts()
    dead = Outbox(store).list(status=OutboxStatus.DEAD, limit=1)
    if dead:
        print(f"first dead letter: {dead[0].last_error}", flush=True)
    store.dispose()
    delivered = counts[OutboxStatus.DELIVERED]
    steady = delivered / max((last - first).total_seconds(), 1e-6)
    return steady, delivered / wall, counts[OutboxStatus.DEAD]


def floor_rate(pki: PkiLayout, sim_url: str, n: int, threads: int) -> float:
    """Messages/s of ``threads`` clients signing and posting straight to the simulator."""
    clients = [
        BrusselsClient(
            sim_url,
            signer_for(pki.root, "flanders", "strict"),
            verifier_for(pki.root, "strict", pin=pki["brussels"].cert),
        )
        for _ in range(threads)
    ]
    items = envelopes(clients[0], n)
    chunks = [items[i::threads] for i in range(threads)]

    def run(index: int) -> None:
        for _, envelope in chunks[index]:
            clients[index].send(envelope)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, range(threads)))
    elapsed = time.perf_counter() - start
    for c in clients:
        c.close()
    return n / elapsed


def brussels(workdir: Path, pki: PkiLayout, name: str) -> RunningProcess:
    """The Brussels simulator with its database and log named ``name`` (use it with ``with``)."""
    return start_simulator(
        "brussels",
        free_port(),
        pki.root,
        workdir / f"{name}.db",
        gateway_cert=pki["flanders"].cert,
        log_path=workdir / f"{name}.log",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--enqueues", type=int, default=1000)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--floor-messages", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    print("running (a few minutes)...", flush=True)

    def enqueue_row(label: str, url: str) -> None:
        outbox_rate, floor_rate_ = enqueue_rates(url, args.enqueues)
        ratio = floor_rate_ / outbox_rate
        note = f"bare insert {floor_rate_:,.0f}/s; outbox/bare time {ratio:.2f}x (target <= 1.5x)"
        rows.append((f"enqueue, {label} (durable)", f"{outbox_rate:,.0f}/s", note))

    with tempfile.TemporaryDirectory() as tmp:
        enqueue_row("SQLite WAL", f"sqlite:///{Path(tmp) / 'bench.db'}")
        workdir = Path(tmp)
        pki = init_pki(workdir / "pki")
        with brussels(workdir, pki, "brussels") as sim:
            with scratch_pg(args.pg_url) as pg:
                enqueue_row("PostgreSQL", pg)
            floor = floor_rate(pki, sim.service_url, args.floor_messages, 2 * args.workers)
        # a fresh simulator: the floor's records do not slow the drain's
        with brussels(workdir, pki, "brussels-drain") as sim, scratch_pg(args.pg_url) as pg:
            steady, wall, dead = drain_rate(
                workdir, pki, pg, sim.service_url, args.backlog, args.workers
            )
            note = (
                f"{args.backlog:,} backlog, {dead} dead; wall incl. start-up {wall:,.0f}/s;"
                f" floor (signed posts straight to the simulator, {2 * args.workers} threads)"
                f" {floor:,.0f}/s, ratio {steady / floor:.2f}x (target >= 500/s)"
            )
            rows.append(
                (f"drain to Brussels, {args.workers} `brug outbox work`", f"{steady:,.0f}/s", note)
            )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>10}  notes")
    print("-" * (width + 90))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
