"""Gateway throughput and added latency at fixed offered loads, beside the crypto floor.

Setup (real processes on loopback, as ``brug demo`` starts them): a dev PKI, the Brussels and
federal simulators, and one gateway process (``brug serve``, SQLite store, in-process delivery).

* **Floor**, measured in this process on the same message: what any signed exchange costs
  without a gateway — the partner signs the request, the gateway verifies it and checks it
  against the XSD, signs the answer, and the partner verifies that (one core).
* **Offered loads**: a load generator in a *separate process* sends signed SOAP
  ``SubmitBevRecord`` requests (Brussels' key, fresh message ids, pre-signed before the phase so
  the generator's own crypto is not measured) at fixed rates, open loop, and records each
  latency. Each exchange is verified, validated, mapped, stored durably with its inbox and audit
  entries, and answered signed.
* **CPU per exchange**: the gateway processes' user + system CPU (all workers), the load
  generator's own, and the whole machine's busy time, each divided by the answered exchanges:
  what the throughput ceiling of this machine is made of.
* **Bulk memory**: a bulk NDJSON file streams through ``POST /v1/vov-registrations/bulk`` while
  the gateway's resident memory is sampled.

    python -m benchmarks.gateway [--rates 100,300,1000] [--seconds 8] [--bulk-lines 20000]
        [--store sqlite|postgresql+psycopg://postgres@127.0.0.1:5432/test] [--workers N]
        [--no-delivery]

(as a module: run as a file, this script would shadow the ``gateway`` package)

Targets (issue 4): >= 1,000 signed exchanges/s sustained; p99 added latency < 20 ms at 300/s;
memory flat while 1,000,000 records stream (use --bulk-lines 1000000 for that, ~20 minutes).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this script's folder would come first on sys.path and
    # benchmarks/gateway.py would shadow the ``gateway`` package: put the repository root there.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adapters.simulation.credentials import verifier_for
from gateway.demo.exchange import BackendClient
from gateway.demo.stack import DemoStack
from gateway.service.rest.resources import record_json
from gateway.soap.envelope import build_envelope, request_headers
from gateway.soap.faults import GW_NS
from gateway.wssecurity import KeyMaterial, Signer, load_profile
from gateway.xml import schemas
from gateway.xml.header import HEADER_NS

try:
    from benchmarks import _bulk_lines
    from benchmarks._loadgen import open_loop
except ImportError:  # run as a file from benchmarks/
    import _bulk_lines  # type: ignore[no-redef]
    from _loadgen import open_loop  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
ACTION = "urn:be:brug:wsdl:gateway-service:1/SubmitBevRecord"


def _signer(pki: Path, party: str) -> Signer:
    material = KeyMaterial.from_pem(pki / f"{party}.key", pki / f"{party}.pem")
    return Signer(load_profile("strict"), material)


def _payload() -> etree._Element:
    message = etree.fromstring((ROOT / "examples" / "bev-record-v1.xml").read_bytes())
    request = etree.Element(f"{{{GW_NS}}}SubmitBevRecordRequest", nsmap={"gw": GW_NS})
    request.append(message)
    return request


def _envelope(template: etree._Element) -> bytes:
    found = template.find(f".//{{{HEADER_NS}}}messageId")
    assert found is not None
    found.text = str(uuid.uuid4())
    stamp = template.find(f".//{{{HEADER_NS}}}timestamp")
    assert stamp is not None  # the gateway refuses headers older than header_max_age
    stamp.text = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return build_envelope(template, "1.1")


def floor_ms(pki: Path) -> float:
    """Sign request + verify + XSD + sign answer + verify answer, in ms per exchange."""
    brussels, flanders = _signer(pki, "brussels"), _signer(pki, "flanders")
    at_gateway = verifier_for(pki, "strict", pin=pki / "brussels.pem")
    at_partner = verifier_for(pki, "strict", pin=pki / "flanders.pem")
    template = _payload()
    answer = build_envelope(
        etree.fromstring(b"<gw:SubmitBevRecordResponse xmlns:gw='" + GW_NS.encode() + b"'/>"), "1.1"
    )
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        signed = brussels.sign(_envelope(template))
        verified = at_gateway.verify(signed)
        schemas.validate("gateway-service-v1", next(iter(verified.body)))
        at_partner.verify(flanders.sign(answer))
    return (time.perf_counter() - started) / runs * 1000


def _generator(url: str, requests: list[bytes], rate: float, out: Any) -> None:
    """Open-loop sender in its own process (see ``benchmarks/_loadgen.py``)."""
    try:
        started = time.process_time()
        result = asyncio.run(
            open_loop(url, requests, request_headers("1.1", ACTION), rate, ok_marker=b"accepted")
        )
        out.put(
            {
                "latencies": result.latencies_ms,
                "errors": result.errors,
                "elapsed": result.elapsed,
                "lag": result.max_lag_ms,
                "cpu": time.process_time() - started,
            }
        )
    except BaseException as exc:  # report, don't leave the parent waiting on an empty queue
        failed = {repr(exc)[:200]: 1}
        out.put({"latencies": [], "errors": failed, "elapsed": 0.0, "lag": 0.0, "cpu": 0.0})


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its live children (the ``--workers`` processes)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return total


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle, machine-wide (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICKS


def offered_load(stack: DemoStack, rate: float, seconds: float) -> dict[str, Any]:
    signer = _signer(stack.pki.root, "brussels")
    template = _payload()
    requests = [signer.sign(_envelope(template)) for _ in range(int(rate * seconds))]
    queue: mp.Queue[dict[str, Any]] = mp.Queue()
    url = f"{stack.gateway_url}/soap/gateway/v1"
    proc = mp.Process(target=_generator, args=(url, requests, rate, queue))
    gateway_cpu, machine_cpu = _cpu_seconds(stack.gateway.pid), _machine_busy_seconds()
    proc.start()
    result = queue.get(timeout=seconds * 20 + 60)
    gateway_cpu = _cpu_seconds(stack.gateway.pid) - gateway_cpu
    machine_cpu = _machine_busy_seconds() - machine_cpu
    proc.join(30)
    lat = sorted(result["latencies"])
    done = len(lat)
    return {
        "gateway_cpu_ms": gateway_cpu / max(done, 1) * 1000,
        "generator_cpu_ms": result["cpu"] / max(done, 1) * 1000,
        "machine_cpu_ms": machine_cpu / max(done, 1) * 1000,
        "rate": rate,
        "sent": len(requests),
        "ok": done,
        "errors": result["errors"],
        "throughput": done / result["elapsed"] if result["elapsed"] else 0.0,
        "p50": statistics.median(lat) if lat else float("nan"),
        "p99": lat[min(done - 1, int(done * 0.99))] if lat else float("nan"),
        "lag": result["lag"],
    }


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def mapping_baseline(lines: int) -> float:
    """Lines/s of the mapping alone on (up to 5,000 of) the bulk row's lines, one core."""
    source = _bulk_lines.sample()
    raw = [_bulk_lines.bulk_line(source, i) for i in range(min(lines, 5000))]
    return 1000 / _bulk_lines.mapping_cpu_ms(raw, _bulk_lines.courses(source))


def bulk_memory(stack: DemoStack, lines: int) -> dict[str, Any]:
    sample = _bulk_lines.sample()
    backend = BackendClient(stack)
    for odb_number, course in sample.courses.items():
        backend.put_course(odb_number, record_json(course))
    pid = stack.gateway.pid
    samples: list[int] = []

    def body() -> Any:
        for i in range(lines):
            if i % 2000 == 0:
                samples.append(_rss_kb(pid))
            yield _bulk_lines.bulk_line(sample, i) + b"\n"

    started = time.perf_counter()
    results = sum(1 for _ in backend.bulk(body()))
    elapsed = time.perf_counter() - started
    samples.append(_rss_kb(pid))
    warm = samples[min(len(samples) - 1, max(1, len(samples) // 10))]
    return {
        "lines": lines,
        "results": results,
        "seconds": elapsed,
        "rss_start_mb": samples[0] / 1024,
        "rss_warm_mb": warm / 1024,
        "rss_max_mb": max(samples) / 1024,
        "rss_end_mb": samples[-1] / 1024,
    }


def _print_gateway_errors(stack: DemoStack, limit: int = 5) -> None:
    """The gateway's first ERROR log lines: a benchmark with errors must say why."""
    lines = (stack.workdir / "gateway.log").read_text(errors="replace").splitlines()
    errors = [line for line in lines if '"ERROR"' in line or "Traceback" in line]
    for line in errors[:limit]:
        print(f"  gateway: {line[:2000]}")


def scratch_database(server_url: str) -> str:
    """A fresh database ``brug_bench`` on the PostgreSQL server at ``server_url``."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "brug_bench" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "brug_bench"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database="brug_bench").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rates", default="100,300,1000")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--bulk-lines", type=int, default=20_000)
    parser.add_argument(
        "--store",
        default="sqlite",
        help="sqlite (default) or a PostgreSQL server URL; a scratch database is created on it",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="brug serve --workers (more than 1: PostgreSQL)"
    )
    parser.add_argument(
        "--no-delivery",
        action="store_true",
        help="brug serve --no-delivery: the bulk row measures durable intake alone",
    )
    args = parser.parse_args()
    store_url = None if args.store == "sqlite" else scratch_database(args.store)
    print(
        f"gateway: {args.workers} worker process(es), store "
        f"{'SQLite (synchronous=FULL)' if store_url is None else 'PostgreSQL'}"
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        DemoStack(
            Path(tmp) / "bench",
            store_url=store_url,
            gateway_workers=args.workers,
            delivery=not args.no_delivery,
        ) as stack,
    ):
        floor = floor_ms(stack.pki.root)
        print(
            f"floor (sign + verify + XSD + sign answer + verify answer): {floor:.2f} ms/exchange"
            f" = {1000 / floor:,.0f} exchanges/s on one core"
        )
        print(
            f"{'offered/s':>10} {'ok':>7} {'achieved/s':>11} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'p50-floor':>10} {'p99-floor':>10} {'gen lag':>8}"
            f" {'gw cpu ms':>9} {'gen cpu':>8} {'all cpu':>8}  errors"
        )
        for rate in (float(r) for r in args.rates.split(",")):
            r = offered_load(stack, rate, args.seconds)
            print(
                f"{r['rate']:>10.0f} {r['ok']:>7} {r['throughput']:>11.0f} {r['p50']:>8.1f}"
                f" {r['p99']:>8.1f} {r['p50'] - floor:>10.1f} {r['p99'] - floor:>10.1f}"
                f" {r['lag']:>8.1f} {r['gateway_cpu_ms']:>9.2f} {r['generator_cpu_ms']:>8.2f}"
                f" {r['machine_cpu_ms']:>8.2f}  {r['errors'] or ''}"
            )
            if r["errors"]:
                _print_gateway_errors(stack)
        if args.bulk_lines:
            baseline = mapping_baseline(args.bulk_lines)
            m = bulk_memory(stack, args.bulk_lines)
            rate = m["lines"] / m["seconds"]
            print(
                f"bulk {m['lines']:,} lines in {m['seconds']:.0f} s ({rate:,.0f} lines/s; "
                f"same-run baseline, the mapping alone in-process: {baseline:,.0f} lines/s, "
                f"ratio {rate / baseline:.2f}); gateway RSS start "
                f"{m['rss_start_mb']:.0f} MB, after warm-up {m['rss_warm_mb']:.0f} MB, "
                f"max {m['rss_max_mb']:.0f} MB, end {m['rss_end_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
