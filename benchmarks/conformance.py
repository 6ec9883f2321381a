"""Benchmark of the endpoint conformance suite against brug's gateway on loopback.

    python -m benchmarks.conformance [--rounds 3]

Starts the gateway's SOAP endpoint in this process (uvicorn in a thread, SQLite store and dev
PKI in a temporary directory, as tests/service/soap does), then times in the same run:

1. the full ``gateway-service-v1`` catalogue (every case, both callers), target < 30 s;
2. validating the whole golden corpus (the floor: schema work with no network or signing);
3. when ``benchmarks/conformance_schema.py`` provides ``time_largest_pair()``, the schema-diff
   of the largest schema pair, target < 1 s;
4. the same catalogue with the wrong ``--peer-cert`` (Brussels' certificate pinned as the
   gateway's): one root cause, the dependent cases skipped without being sent;
5. writing both reports (``junit.xml`` and ``report.html``) of the full run, beside 1.

The best of ``--rounds`` is reported (loopback timings are noisy; the best is the least noisy).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from conformance.endpoint import (
    RunConfig,
    SuiteResult,
    check_corpus,
    load_catalogue,
    run_suite,
    write_html,
    write_junit,
)
from conformance.endpoint.identities import load_identity
from gateway.cli._inputs import read_course
from gateway.wssecurity.pki import init_pki
from tests.service.soap.support import EXAMPLES, start

SERVICE = "gateway-service-v1"


def _best(rounds: int, work: Callable[[], object]) -> tuple[float, object]:
    best, last = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        last = work()
        best = min(best, time.perf_counter() - started)
    return best, last


def _schema_diff_time() -> float | None:
    try:
        module = importlib.import_module("benchmarks.conformance_schema")
    except ImportError:
        return None
    timer = getattr(module, "time_largest_pair", None)
    if not callable(timer):
        return None
    value = timer()
    return float(value) if isinstance(value, int | float) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = max(args.rounds, 1)
    logging.disable(logging.INFO)  # one log line per gateway request would drown the table
    console = Console()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        pki = init_pki(tmp / "pki")
        gateway, server = start(tmp, pki)
        gateway.context.records.put_course(
            read_course(EXAMPLES / "odb-course.json"), updated_by="benchmark"
        )
        identities = {
            "brussels": load_identity(
                "brussels", pki["brussels"].cert, pki["brussels"].key, "strict"
            ),
            "federal": load_identity("federal", pki["federal"].cert, pki["federal"].key, "ksz"),
        }
        config = RunConfig(
            target=gateway.url,
            catalogue=load_catalogue(SERVICE),
            identities=identities,
            trust=(pki.ca_cert,),
            peer_cert=pki["flanders"].cert,
        )
        wrong = RunConfig(
            target=gateway.url,
            catalogue=config.catalogue,
            identities=identities,
            trust=(pki.ca_cert,),
            peer_cert=pki["brussels"].cert,
        )
        with server:
            suite_time, suite = _best(rounds, lambda: run_suite(config))
            wrong_time, wrong_suite = _best(rounds, lambda: run_suite(wrong))
        gateway.context.close()
        assert isinstance(suite, SuiteResult) and isinstance(wrong_suite, SuiteResult)
        reports_time, _ = _best(
            rounds,
            lambda: (
                write_junit(suite, tmp / "out" / "junit.xml"),
                write_html(suite, tmp / "out" / "report.html"),
            ),
        )
        html_kb = (tmp / "out" / "report.html").stat().st_size / 1024
    golden_time, golden = _best(rounds, check_corpus)
    diff_time = _schema_diff_time()

    cases = len(config.catalogue.cases)
    failed = getattr(suite, "failed_ids", [])
    messages = len(golden) if isinstance(golden, list) else 0
    table = Table(title=f"conformance benchmark (best of {rounds})")
    for column in ("what", "time", "target", "note"):
        table.add_column(column)
    table.add_row(
        f"{SERVICE} catalogue, loopback",
        f"{suite_time:.2f} s",
        "< 30 s",
        f"{cases} cases, {len(failed)} failed; {suite_time / cases * 1000:.1f} ms/case",
    )
    table.add_row(
        "same, wrong --peer-cert",
        f"{wrong_time:.2f} s",
        "-",
        f"{wrong_suite.count('failed')} failed (root cause), {wrong_suite.count('skipped')} "
        f"skipped unsent, {wrong_suite.count('passed')} passed",
    )
    table.add_row(
        "reports of the full run",
        f"{reports_time:.3f} s",
        "-",
        f"junit.xml + report.html ({html_kb:.0f} KiB); beside the run's {suite_time:.2f} s",
    )
    table.add_row(
        "golden corpus validation", f"{golden_time:.3f} s", "-", f"{messages} messages (floor)"
    )
    table.add_row(
        "schema-diff, largest pair",
        f"{diff_time:.3f} s" if diff_time is not None else "n/a",
        "< 1 s",
        "" if diff_time is not None else "benchmarks/conformance_schema.py not available",
    )
    console.print(table)
    ok = suite_time < 30 and not failed and (diff_time is None or diff_time < 1)
    ok = ok and wrong_suite.count("failed") == 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
