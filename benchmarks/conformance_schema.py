"""Timing of ``brug conformance schema-diff`` on the largest schema pair brug ships.

    python benchmarks/conformance_schema.py

The "largest pair" is the pair of consecutive versions of one catalogued schema (``…-v1`` /
``…-v2``) with the most bytes, imports not counted; today that is BEV v1 → v2. The time covers
everything the command does before rendering: safe parsing of both files and their imports,
compiling both with lxml (the validity check), building both trees and the diff. Target: under
one second. :func:`time_largest_pair` is what the lead's benchmark calls.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

# Run as a script, this directory comes first on sys.path and its conformance.py (the endpoint
# benchmark) would shadow the conformance package: put the repository root in front.
ROOT = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))

from conformance.schema_diff import Level, diff_files
from gateway.xml import schemas

_VERSIONED = re.compile(r"^(?P<stem>.+)-v(?P<version>\d+)$")


def largest_pair() -> tuple[Path, Path]:
    """The two consecutive catalogued versions of one schema with the most bytes together."""
    families: dict[str, dict[int, Path]] = {}
    for info in schemas.list_schemas():
        match = _VERSIONED.match(info.name)
        if match:
            families.setdefault(match["stem"], {})[int(match["version"])] = info.path
    pairs = [
        (versions[v], versions[v + 1])
        for versions in families.values()
        for v in sorted(versions)
        if v + 1 in versions
    ]
    if not pairs:  # no schema has two versions yet: diff the largest WSDL with itself
        largest = max(schemas.wsdls().values(), key=lambda w: w.path.stat().st_size).path
        return largest, largest
    return max(pairs, key=lambda pair: pair[0].stat().st_size + pair[1].stat().st_size)


def time_largest_pair(repeat: int = 3) -> float:
    """Seconds for one schema diff of :func:`largest_pair` (best of ``repeat`` runs)."""
    old, new = largest_pair()
    best = float("inf")
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        diff_files(old, new, level=Level.BACKWARD)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    old, new = largest_pair()
    seconds = time_largest_pair()
    verdict = "OK" if seconds < 1.0 else "SLOW"
    milliseconds = seconds * 1000
    print(f"schema-diff {old.name} → {new.name}: {milliseconds:.1f} ms (< 1000 ms) {verdict}")


if __name__ == "__main__":
    main()
