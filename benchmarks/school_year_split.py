"""Cost of the BEV school-year split (issue 14), beside a baseline in the same run.

A course running into a later school year has its hours split by its days, and the mapping
report gets a finding with each later share's cap and refund window. This script maps the
same varied records as ``benchmarks/mapping.py`` and times, in CPU seconds of this process
(``time.process_time``: a busy shared host steals wall time, not CPU time), the records that
stay within one school year (the baseline: no split) and those that cross 31 August.

    python benchmarks/school_year_split.py [--records 2000] [--repeat 7]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import time

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import vov_to_bev
from benchmarks.mapping import inputs
from gateway.models import OdbCourse, VovRegistration
from gateway.rules import schoolyear
from gateway.rules.ruledata import RuleBook

Pair = tuple[VovRegistration, OdbCourse]


def cpu_rate(pairs: list[Pair], rules: RuleBook, crosswalk: Crosswalk, repeat: int) -> float:
    """Best records per CPU second over ``repeat`` rounds."""
    best = 0.0
    for _ in range(repeat):
        start = time.process_time()
        for registration, course in pairs:
            vov_to_bev(registration, course, rules, crosswalk)
        spent = time.process_time() - start
        best = max(best, len(pairs) / spent if spent else 0.0)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    crosswalk = Crosswalk.load(environ={})
    rules = RuleBook.load(environ={})
    pairs = [
        (VovRegistration.model_validate(r), OdbCourse.model_validate(c))
        for r, c in inputs(args.records, crosswalk)
    ]
    crossing = [
        p
        for p in pairs
        if p[0].end_date > schoolyear.bounds(schoolyear.school_year_of(p[0].start_date))[1]
    ]
    within = [p for p in pairs if p not in crossing]
    for registration, course in pairs:  # warm the rule views and memos
        vov_to_bev(registration, course, rules, crosswalk)
    base = cpu_rate(within, rules, crosswalk, args.repeat)
    split = cpu_rate(crossing, rules, crosswalk, args.repeat)
    every = cpu_rate(pairs, rules, crosswalk, args.repeat)
    print(f"records: {len(pairs)} ({len(crossing)} cross 31 August), best of {args.repeat}")
    print(f"baseline, within one school year: {base:10,.0f} /CPU s")
    print(f"crossing a school year (split):   {split:10,.0f} /CPU s  ratio {split / base:.2f}x")
    print(f"all records:                      {every:10,.0f} /CPU s  ratio {every / base:.2f}x")


if __name__ == "__main__":
    main()
