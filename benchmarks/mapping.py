"""Throughput of VOV registration + ODB course → BEV record, beside a pydantic baseline.

Why a baseline in the same run: absolute figures swing with the machine and its load; the
ratio to ``VovRegistration.model_validate`` of the input dict (the cheapest thing any edge
does with a record anyway) is what tells whether the mapping is the bottleneck.

Targets: >= 50,000 mappings/s per core without XML; >= 10,000/s with BEV XML serialisation
and XSD validation (measured only when ``adapters.brussels.xml`` and ``gateway.xml.schemas``
are importable).

    python benchmarks/mapping.py [--records 2000] [--repeat 5] [--no-xml]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this script's folder would come first on sys.path and
    # benchmarks/gateway.py would shadow the ``gateway`` package: put the repository root there.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import vov_to_bev
from gateway.models import BevRecord, OdbCourse, VovRegistration
from gateway.rules.ruledata import RuleBook

FRACTIONS = ("1.0000", "0.8000", "0.5000", "0.3000", "0.2500", "0.2000")
LEVELS = ("low", "medium", "high", None)
ODB_TYPES = {
    "professional": "professional",
    "general-union": "general",
    "university": "university",
    "professional-bachelor": "professional-bachelor",
    "language": "language",
}


def _establishment(n: int) -> str:
    first8 = 20_000_000 + n
    return f"{first8:08d}{97 - first8 % 97:02d}"


def inputs(count: int, crosswalk: Crosswalk) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``count`` varied (registration dict, course dict) pairs over every crosswalk row."""
    entries = crosswalk.entries()
    out = []
    for i in range(count):
        entry = entries[i % len(entries)]
        start = date(2023 + i % 3, 9, 1) + timedelta(days=(i * 7) % 360)
        worker: dict[str, Any] = {"insz": "85073003328"}
        if LEVELS[i % 4] is not None:
            worker["education_level"] = LEVELS[i % 4]
        reg = {
            "registration_id": f"VOV-{i:08d}",
            "worker": worker,
            "employer": {"kbo": "0403170701", "name": "Brouwerij Zenne NV"},
            "establishment_unit": {
                "number": _establishment(i),
                "region": "brussels",
                "postcode": "1000",
            },
            "employment": {
                "fraction": FRACTIONS[i % len(FRACTIONS)],
                "reference_month": f"{start.year if start.month >= 9 else start.year - 1}-09",
            },
            "odb_number": entry.odb_number,
            "provider_kbo": "0403170701",
            "contact_hours": str(Decimal(20 + (i * 13) % 200)),
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=120)).isoformat(),
            "prior_use": [{"region": "flanders", "hours": str(Decimal(i % 90))}] if i % 3 else [],
        }
        course = {
            "odb_number": entry.odb_number.split("/")[0],
            "title_nl": f"Opleiding {i % 50}",
            "provider": {"kbo": "0403170701", "name": "CVO Brussel"},
            "course_type": ODB_TYPES[entry.course_type],
            "volume": {"amount": "120", "unit": "hours"},
            "modules": [
                {
                    "odb_number": entry.odb_number,
                    "title": "Module",
                    "volume": {"amount": "60", "unit": "hours"},
                }
            ]
            if "/" in entry.odb_number
            else [],
            "incentives": {"vov": True, "training_vouchers": True, "vok": False},
            "outcomes": ["profession-specific-competences"],
            "bottleneck_occupation": i % 5 == 0,
            "valid_from": "2019-09-01",
        }
        out.append((reg, course))
    return out


def best_rate(run: Callable[[], int], repeat: int) -> float:
    """Items per second of the fastest of ``repeat`` runs (the least disturbed by the machine)."""
    best = float("inf")
    items = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        items = run()
        best = min(best, time.perf_counter() - t0)
    return items / best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-xml", action="store_true")
    args = parser.parse_args(argv)

    rules = RuleBook.load()
    crosswalk = Crosswalk.load()
    pairs = inputs(args.records, crosswalk)
    regs = [VovRegistration.model_validate(r) for r, _ in pairs]
    courses = [OdbCourse.model_validate(c) for _, c in pairs]
    work = list(zip(regs, courses, strict=True))
    reg_dicts = [r for r, _ in pairs]
    results = [vov_to_bev(r, c, rules, crosswalk).record for r, c in work]  # warm caches
    assert all(BevRecord.model_validate(r.model_dump()) == r for r in results[:200])

    def baseline() -> int:
        for d in reg_dicts:
            VovRegistration.model_validate(d)
        return len(reg_dicts)

    def mapping() -> int:
        for reg, course in work:
            vov_to_bev(reg, course, rules, crosswalk)
        return len(work)

    base_rate = best_rate(baseline, args.repeat)
    map_rate = best_rate(mapping, args.repeat)
    print(f"records: {len(work)}, best of {args.repeat}")
    print(f"baseline VovRegistration.model_validate(dict): {base_rate:>10,.0f} /s")
    print(
        f"vov_to_bev (no XML):                          {map_rate:>10,.0f} /s"
        f"  ratio {map_rate / base_rate:.2f}x baseline  target 50,000/s "
        f"{'OK' if map_rate >= 50_000 else 'BELOW'}"
    )
    if args.no_xml:
        return
    try:
        from adapters.brussels.xml import to_xml
        from gateway.models import MessageHeader, Party
        from gateway.xml.schemas import validate
    except ImportError as exc:
        print(f"XML part skipped: {exc}")
        return
    header = MessageHeader(
        message_id=uuid.UUID(int=1),
        timestamp=datetime(2025, 1, 1, tzinfo=UTC),
        sender=Party(code="flanders-wse"),
        recipient=Party(code="brussels-bee"),
        purpose="BEV_TRANSFER",
    )
    from gateway.models.bev import RaisedCapReason

    def with_xml() -> int:
        for reg, course in work:
            record = vov_to_bev(reg, course, rules, crosswalk).record
            # BEV v2 dropped the low-education reason: such records travel as v1.
            v1 = record.raised_cap_reason is RaisedCapReason.LOW_EDUCATION
            root = to_xml(record, header, 1 if v1 else 2, allow_loss=v1)
            validate("bev-record-v1" if v1 else "bev-record-v2", root)
        return len(work)

    try:
        xml_rate = best_rate(with_xml, args.repeat)
    except Exception as exc:  # optional part: report and carry on
        print(f"XML part failed: {type(exc).__name__}: {exc}")
        return
    print(
        f"vov_to_bev + to_xml + XSD validate:           {xml_rate:>10,.0f} /s"
        f"  ratio {xml_rate / base_rate:.2f}x baseline  target 10,000/s "
        f"{'OK' if xml_rate >= 10_000 else 'BELOW'}"
    )


if __name__ == "__main__":
    main()
