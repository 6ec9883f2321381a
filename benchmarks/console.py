"""Benchmark of the operator console's queries on a large store.

    python -m benchmarks.console [--entries 100000] [--repeat 20]
                                 [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

An open console asks for the partner overview every 3 seconds, so its queries must stay cheap
on a store that has kept months of messages. Each store (a scratch SQLite file, then a scratch
PostgreSQL database created beside ``--pg-url``'s and dropped afterwards; ``--pg-url ""`` skips
it) is filled with ``--entries`` outbox entries (97 %
delivered, 2 % pending, 1 % dead, over two partners) and one audit entry per message carrying a
worker's keyed INSZ hash (1,000 workers), written straight into the tables: the queries, not
the intake, are measured. Each figure is the median of ``--repeat`` runs, printed beside the
same run's baseline: ``Outbox.pending_by_partner``, the query ``/metrics`` already runs at
every scrape (one grouped count).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from benchmarks._scratch_pg import scratch_pg
from gateway.config import load_settings
from gateway.service.console import queries
from gateway.service.context import GatewayContext, build_context
from gateway.store.tables import AuditEntryRow, OutboxRow
from gateway.wssecurity.pki import init_pki

WORKERS = 1000


def _insz(n: int) -> str:
    """A valid INSZ for worker ``n`` (born 1980-01-01 + n days' counter)."""
    base = f"800101{n % 997 + 1:03d}"
    return base + f"{97 - int(base) % 97:02d}"


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(root: Path, store_url: str, entries: int, repeat: int) -> None:
    pki = init_pki(root / "pki")
    config = root / "brug.toml"
    config.write_text(
        f"""
[store]
url = "{store_url}"
[pki]
key = "{pki["flanders"].key}"
cert = "{pki["flanders"].cert}"
trust = ["{pki.ca_cert}"]
[partners.brussels]
url = "http://127.0.0.1:9/services/bev/v1"
operations = ["ReceiveBevRecord"]
[audit]
insz_hash_key = "benchmark-only-insz-hash-key-0123456789"
""",
        encoding="utf-8",
    )
    context = build_context(load_settings(config))
    try:
        fill(context, entries)
        baseline = _median_ms(context.outbox.pending_by_partner, repeat)
        middle = entries // 2
        measured = {
            "partner overview (every 3 s per open console)": _median_ms(
                lambda: queries.partner_overview(context, None, datetime.now(UTC)), repeat
            ),
            "dead letters page (newest 200)": _median_ms(
                lambda: queries.dead_letters(context), repeat
            ),
            "search by message id": _median_ms(
                lambda: queries.find_messages(context, f"bench-{middle:08d}"), repeat
            ),
            "search by INSZ (audit subject)": _median_ms(
                lambda: queries.find_messages(context, _insz(7)), repeat
            ),
            "search by correlation id (scan)": _median_ms(
                lambda: queries.find_messages(context, f"corr-{middle}"), max(3, repeat // 5)
            ),
            "search by registration id (payload scan)": _median_ms(
                lambda: queries.find_messages(context, f"VOV-2025-{middle:06d}"),
                max(3, repeat // 5),
            ),
        }
        print(f"store: {context.store.dialect}, {entries:,} outbox entries and audit entries")
        print(f"baseline  Outbox.pending_by_partner (the /metrics gauge): {baseline:8.2f} ms")
        for name, ms in measured.items():
            print(f"{name:48s} {ms:8.2f} ms  ({ms / baseline:5.1f}x baseline)")
    finally:
        context.close()


def fill(context: GatewayContext, entries: int) -> None:
    subjects = context.records.subjects
    now = datetime.now(UTC)
    outbox_rows, audit_rows = [], []
    for i in range(entries):
        status = "dead" if i % 100 == 0 else "pending" if i % 50 == 1 else "delivered"
        created = now - timedelta(seconds=entries - i)
        message_id = f"bench-{i:08d}"
        outbox_rows.append(
            {
                "message_id": message_id,
                "partner": "brussels" if i % 4 else "federal",
                "operation": "ReceiveBevRecord",
                "payload": f"<e><dossier>VOV-2025-{i:06d}</dossier></e>".encode(),
                "digest": "0" * 64,
                "status": status,
                "attempts": 1,
                "next_attempt_at": created,
                "created_at": created,
                "delivered_at": created if status == "delivered" else None,
                "last_error": "refused" if status == "dead" else None,
                "correlation_id": f"corr-{i}",
            }
        )
        audit_rows.append(
            {
                "seq": i + 1,
                "recorded_at": created,
                "partner": "brussels",
                "operation": "ReceiveBevRecord",
                "direction": "out",
                "message_id": message_id,
                "digest": "0" * 64,
                "outcome": "attempt 1: delivered" if status == "delivered" else "accepted",
                "subject": subjects.hash(_insz(i % WORKERS)),
                "prev_hash": "0" * 64,
                "entry_hash": "0" * 64,
            }
        )
    with context.store.begin() as conn:
        for start in range(0, entries, 5000):
            conn.execute(insert(OutboxRow.__table__), outbox_rows[start : start + 5000])
            conn.execute(insert(AuditEntryRow.__table__), audit_rows[start : start + 5000])
    if context.store.dialect == "postgresql":
        with context.store.begin() as conn:
            conn.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        measure(root / "sqlite", f"sqlite:///{root / 'brug.db'}", args.entries, args.repeat)
        if args.pg_url:
            with scratch_pg(args.pg_url) as url:
                measure(root / "pg", url, args.entries, args.repeat)


if __name__ == "__main__":
    main()
