"""The evaluation report over a large PostgreSQL store: the figure beside a same-run baseline.

Seeds a dedicated database with ``benchmarks/evaluation_seed.py`` (1,000,000 registrations and
200,000 career-break mutations by default; seeding is timed apart and not part of the figure),
then times, ``--repeat`` times each:

* the **baseline**: a plain ``SELECT count(*)`` over each table the report reads (intake facts,
  outbox, mutations): the least any report over those rows must do;
* the **report**: every figure aggregated and suppressed (``evaluation_report``), and written
  as JSON and as the HTML page with its charts.

It prints the best time of each and the ratio report / baseline; target: the report under
10 s. The database is dropped at the end unless ``--keep``.

    python -m benchmarks.evaluation --url postgresql+psycopg://postgres@127.0.0.1:5432/brug_eval_bench
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from sqlalchemy import text

from benchmarks.evaluation_seed import drop_database, seed
from gateway.report.build import evaluation_report, render
from gateway.store.database import Store

YEAR = "2025-2026"
TARGET_SECONDS = 10.0


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="PostgreSQL URL of a dedicated database")
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--mutations", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    args = parser.parse_args()

    if not args.no_seed:
        took = seed(args.url, args.registrations, args.mutations)
        print(f"seeded {args.registrations:,} registrations, {args.mutations:,} mutations "
              f"in {took:.1f} s (not part of the figure)")  # fmt: skip
    store = Store(args.url)
    try:
        with store.engine.connect() as conn:
            rows = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("intake_fact", "outbox", "career_break_mutation")
            }
        print("rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))

        def baseline() -> None:
            with store.engine.connect() as conn:
                for table in rows:
                    conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

        def figures() -> object:
            return evaluation_report(store, YEAR)

        def page() -> object:
            report = evaluation_report(store, YEAR)
            return render(report, "json"), render(report, "html")

        figures()  # warm the connection pool and the page cache alike for both
        base = best_of(args.repeat, baseline)
        report = best_of(args.repeat, figures)
        full = best_of(args.repeat, page)
    finally:
        store.dispose()
        if not args.keep:
            drop_database(args.url)
    print(f"baseline  count(*) over the three tables: {base:.2f} s")
    print(f"report    every figure, suppressed:       {report:.2f} s  ({report / base:.1f}x)")
    print(f"report    + JSON and HTML with charts:    {full:.2f} s  ({full / base:.1f}x)")
    verdict = "met" if full < TARGET_SECONDS else "NOT met"
    print(f"target    < {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
