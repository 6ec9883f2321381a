"""Seed a PostgreSQL store for the evaluation-report benchmark (not part of the figure).

Creates the database if needed, migrates it with brug's own migrations, and fills it on the
server side (``INSERT ... SELECT FROM generate_series``, seconds instead of minutes from
Python): ``--registrations`` intake facts of school year 2025-2026 (75 % routed to Brussels,
15 % staying in Flanders, 10 % refused under five rules; 8 % movers), an outbox entry for each
routed one (95 % delivered with a latency of 0.2 s to a few minutes, 3 % pending, 2 % dead),
``--mutations`` career-break mutations (a third with a training motive, 5 % later cancelled)
and 20,000 BEV records handed over by Brussels. Then ``ANALYZE``.

    python -m benchmarks.evaluation_seed --url postgresql+psycopg://postgres@127.0.0.1:5432/brug_eval_bench
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.store.database import Store

REGISTRATIONS = """
INSERT INTO intake_fact (received_at, school_year, start_month, channel, outcome, rule,
    unit_region, course_type, contact_hours, hours_cap, hours_claimable, prior_region,
    hours_carried, message_id)
SELECT
    timestamptz '2025-06-01' + (i % 400) * interval '1 day' + (i % 86400) * interval '1 second',
    '2025-2026',
    to_char(date '2025-09-01' + (i % 12) * interval '1 month', 'YYYY-MM'),
    CASE WHEN i % 3 = 0 THEN 'single' ELSE 'bulk' END,
    CASE WHEN i % 20 < 15 THEN 'routed' WHEN i % 20 < 18 THEN 'not-brussels' ELSE 'refused' END,
    CASE WHEN i % 20 >= 18 THEN (ARRAY['course.unknown', 'crosswalk.unknown-course',
        'insz.checksum', 'kbo.checksum', 'prior-use.out-of-range'])[1 + i % 5] END,
    CASE WHEN i % 20 < 15 THEN 'brussels' WHEN i % 20 < 18 THEN 'flanders'
         ELSE (ARRAY['brussels', 'flanders', 'wallonia'])[1 + i % 3] END,
    CASE WHEN i % 20 < 15 THEN (ARRAY['professional', 'general-union', 'university',
        'professional-bachelor', 'language'])[1 + i % 5] END,
    32 + i % 150,
    CASE WHEN i % 20 < 15 THEN (ARRAY[100, 80, 120, 100, 80])[1 + i % 5] END,
    CASE WHEN i % 20 < 15 THEN least(32 + i % 150, (ARRAY[100, 80, 120, 100, 80])[1 + i % 5]) END,
    CASE WHEN i % 25 = 0 THEN 'flanders' END,
    CASE WHEN i % 25 = 0 THEN 10 + i % 60 END,
    CASE WHEN i % 20 < 15 THEN 'bench-' || i END
FROM generate_series(1, :n) AS i
"""

OUTBOX = """
INSERT INTO outbox (message_id, partner, operation, payload, digest, status, attempts,
    next_attempt_at, created_at, delivered_at, last_error, origin)
SELECT message_id, 'brussels', 'ReceiveBevRecord', '\\x3c782f3e'::bytea, repeat('0', 64),
    CASE WHEN id % 100 < 95 THEN 'delivered' WHEN id % 100 < 98 THEN 'pending' ELSE 'dead' END,
    1 + (id % 7 = 0)::int + (id % 49 = 0)::int,
    received_at, received_at,
    CASE WHEN id % 100 < 95 THEN received_at + (0.2 + (id % 1000) / 5.0) * interval '1 second'
    END,
    CASE WHEN id % 100 >= 98 THEN (ARRAY['refused by partner: bev.duplicate',
        'gave up after 10 attempts: timeout', 'age limit 2 days reached'])[1 + id % 3] END,
    'bench'
FROM intake_fact WHERE message_id IS NOT NULL
"""

MUTATIONS = """
INSERT INTO career_break_mutation (message_id, attest_number, status, subject, payload,
    received_at, source, category, reduction, reason, period_begin, period_end)
SELECT 'push-' || (i / 100), 'A' || i, 'new', md5('w' || (i % (:m * 9 / 10))), '{}',
    timestamptz '2025-06-01' + (i % 400) * interval '1 day',
    CASE WHEN i % 10 = 0 THEN 'Vlaanderen' ELSE 'RVA' END,
    (ARRAY['1', '1', '1', '4', '2'])[1 + i % 5],
    (ARRAY['1', '2', '3'])[1 + i % 3],
    CASE WHEN i % 3 = 0 THEN '5' WHEN i % 11 = 0 THEN '6' ELSE '1' END,
    date '2024-01-01' + (i % 900),
    date '2024-01-01' + (i % 900) + 180 + (i % 400)
FROM generate_series(1, :m) AS i
"""

CANCELLATIONS = """
INSERT INTO career_break_mutation (message_id, attest_number, status, subject, payload,
    received_at, source, category, reduction, reason, period_begin, period_end)
SELECT message_id, attest_number, 'cancelled', subject, payload, received_at + interval '30 days',
    source, category, reduction, reason, period_begin, period_end
FROM career_break_mutation WHERE status = 'new' AND id % 20 = 0
"""

INBOUND = """
INSERT INTO inbound_record (partner, message_id, kind, source_record_id, subject, payload,
    report, received_at, school_year, hours_carried)
SELECT 'brussels', 'in-' || i, 'bev-record', 'r-' || i, md5('b' || i), '{}', '{}',
    timestamptz '2025-09-01' + (i % 300) * interval '1 day', '2025-2026', (i % 4) * 12.5
FROM generate_series(1, 20000) AS i
"""


def create_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def seed(url: str, registrations: int, mutations: int) -> float:
    """Fill the store; returns the seconds it took."""
    started = time.perf_counter()
    create_database(url)
    store = Store(url)
    try:
        store.upgrade()
        with store.engine.begin() as conn:
            for table in ("intake_fact", "outbox", "career_break_mutation", "inbound_record"):
                conn.execute(text(f"TRUNCATE {table}"))
            conn.execute(text(REGISTRATIONS), {"n": registrations})
            conn.execute(text(OUTBOX))
            conn.execute(text(MUTATIONS), {"m": mutations})
            conn.execute(text(CANCELLATIONS))
            conn.execute(text(INBOUND))
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    finally:
        store.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="PostgreSQL URL of a dedicated database")
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--mutations", type=int, default=200_000)
    args = parser.parse_args()
    took = seed(args.url, args.registrations, args.mutations)
    print(f"seeded {args.registrations:,} registrations and {args.mutations:,} mutations "
          f"in {took:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
