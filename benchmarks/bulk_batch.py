"""CPU per line of bulk intake's two steps, in-process, beside the mapping alone.

    python -m benchmarks.bulk_batch [--lines 5000] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

A gateway context is built from a development ``brug.toml`` on a scratch PostgreSQL database
(created and dropped here; no HTTP, no partner). The bulk endpoint's own ``BulkProcessor``
then takes the lines in its batches of 500, as ``POST /v1/vov-registrations/bulk`` does:

* **prepare**: read and validate each line, read the batch's catalogue courses, map to BEV and
  build the unsigned envelope (CPU-bound, outside any transaction);
* **finish**: one transaction per batch: idempotency rows, outbox entries, audit chain, intake
  facts.

Each is timed by the CPU time of this thread (``time.thread_time``: a busy host does not
inflate it). The same run's baseline is the mapping alone on the same lines: JSON, validation
and ``vov_to_bev``, no XML, no store. In the server, prepare of batch N+1 overlaps finish of
batch N in two threads of one process, so the sum of the two bounds a bulk request's rate.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this script's folder would come first on sys.path and
    # benchmarks/gateway.py would shadow the ``gateway`` package: put the repository root there.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import io
import tempfile
import time

from benchmarks import _bulk_lines
from benchmarks._scratch_pg import scratch_pg
from gateway.config.loader import load_settings
from gateway.demo.stack import demo_config
from gateway.service.context import build_context
from gateway.service.rest.bulk import BATCH_SIZE, BulkProcessor
from gateway.service.rest.submission import Submissions
from gateway.wssecurity.pki import init_pki


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    source = _bulk_lines.sample()
    lines = [_bulk_lines.bulk_line(source, i) for i in range(args.lines)]
    courses = _bulk_lines.courses(source)
    baseline = _bulk_lines.mapping_cpu_ms(lines, courses)
    with tempfile.TemporaryDirectory() as tmp, scratch_pg(args.pg_url) as url:
        root = Path(tmp)
        pki = init_pki(root / "pki")
        config = root / "brug.toml"
        config.write_text(
            demo_config(root, pki, 1, "http://127.0.0.1:9/", "http://127.0.0.1:9/", url)
        )
        context = build_context(load_settings(config))
        try:
            for course in courses.values():
                context.records.put_course(course, updated_by="benchmark")
            processor = BulkProcessor(
                Submissions(context), "benchmark", "bench", "bench-correlation", io.BytesIO()
            )
            prepare = finish = 0.0
            numbered = list(enumerate(lines, start=1))
            for start in range(0, len(numbered), BATCH_SIZE):
                t0 = time.thread_time()
                batch = processor.prepare(numbered[start : start + BATCH_SIZE])
                t1 = time.thread_time()
                processor.finish(batch)
                prepare, finish = prepare + t1 - t0, finish + time.thread_time() - t1
        finally:
            context.close()
    n = len(lines)
    per_line = (prepare + finish) / n * 1000
    print(f"{n:,} lines ({processor.counts.accepted:,} accepted), batches of {BATCH_SIZE}")
    print(f"baseline, the mapping alone:   {baseline:.3f} CPU ms/line")
    print(f"prepare (read, map, envelope): {prepare / n * 1000:.3f} CPU ms/line")
    print(f"finish (one transaction):      {finish / n * 1000:.3f} CPU ms/line")
    print(
        f"prepare + finish:              {per_line:.3f} CPU ms/line = {1000 / per_line:,.0f}"
        f" lines/s on one core; {per_line / baseline:.1f}x the baseline"
    )


if __name__ == "__main__":
    main()
