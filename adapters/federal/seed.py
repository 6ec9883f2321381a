"""Deterministic, realistic career-break data for the federal simulator.

A simulator answering "no records" for everyone exercises nothing. This generates a few
thousand workers from a seed, shaped like what MAGDA's GeefLoopbaanonderbrekingen returns:

* time credit (``Categorie`` time-credit) with a *training* motive: the VOK case;
* time credit with another motive, care credit, thematic leave, a public-sector career break
  held by Flanders (``Bron`` Vlaanderen);
* full-time, half-time and 1/5 reductions with plausible allowances and remaining hours;
* one to three consecutive periods per worker (extensions), and a share of workers with no
  record at all (the query answers an empty list for them).

Codes come from the federal code table (:mod:`adapters.federal.codes`), looked up by *meaning*
(which category is time credit, which reasons are training, which reduction is 1/5), so the
data follows when the assumed table is replaced by the real RVA/MAGDA list. With the shipped
table the training motives are ``Reden`` 5 (recognised training) and 6 (basic education /
secondary diploma).

Everything derives from ``random.Random(seed)`` and fixed dates (never "today"): the same seed
gives the same dataset on every machine, which is what lets a test ask for a known worker.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from adapters.federal.codes import CodeTable
from adapters.simulation.identifiers import make_insz
from gateway.models.career_break import (
    AttestStatus,
    CareerBreakMutation,
    CareerBreakQuery,
    CareerBreakRecord,
    CareerBreakSource,
    CodeValue,
    Period,
)

DEFAULT_SEED = 2025
DEFAULT_WORKERS = 3000
FIRST_MONTH = date(2022, 1, 1)
MONTHS_SPAN = 54  # periods begin between 2022-01 and 2026-06

#: Share of workers per profile (the rest of the weight is "no record").
PROFILES: dict[str, float] = {
    "training": 0.30,
    "time-credit-other": 0.15,
    "care-credit": 0.20,
    "thematic-leave": 0.05,
    "public-career-break": 0.05,
    "none": 0.25,
}
_CATEGORY_KIND = {
    "training": "time-credit",
    "time-credit-other": "time-credit",
    "care-credit": "care-credit",
    "thematic-leave": "thematic-leave",
    "public-career-break": "career-break",
}
_DOSSIER_PREFIX = {
    "time-credit": "TK",
    "care-credit": "ZK",
    "thematic-leave": "TV",
    "career-break": "LO",
}
_DURATIONS = {  # months per period
    "training": (3, 6, 12),
    "time-credit-other": (6, 12, 24),
    "care-credit": (1, 3, 6, 12),
    "thematic-leave": (1, 2, 4),
    "public-career-break": (6, 12),
}
#: Indicative monthly allowance (euro) and remaining weekly hours (38 h week) per reduction.
_ALLOWANCE = {"full": 640, "half": 320, "one-fifth": 170}
_HOURS = {"full": Decimal("0.00"), "half": Decimal("19.00"), "one-fifth": Decimal("30.40")}


@dataclass(frozen=True, slots=True)
class SeededWorker:
    insz: str
    profile: str
    records: tuple[CareerBreakRecord, ...]


@dataclass(frozen=True)
class CareerBreakDataset:
    """The generated workers, indexed by INSZ for the simulator's queries."""

    seed: int
    workers: tuple[SeededWorker, ...]
    _by_insz: dict[str, SeededWorker] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_insz", {w.insz: w for w in self.workers})

    def worker(self, insz: str) -> SeededWorker | None:
        return self._by_insz.get(insz)

    def records(self) -> Iterable[CareerBreakRecord]:
        for w in self.workers:
            yield from w.records

    def answer(self, query: CareerBreakQuery) -> tuple[CareerBreakRecord, ...]:
        """Records of the worker that overlap the period, from the asked sources (all if none)."""
        found = self._by_insz.get(query.insz)
        if found is None:
            return ()
        sources = set(query.sources)
        return tuple(
            r
            for r in found.records
            if r.period.overlaps(query.period) and (not sources or r.source in sources)
        )

    def with_profile(self, profile: str) -> tuple[SeededWorker, ...]:
        return tuple(w for w in self.workers if w.profile == profile)

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for w in self.workers:
            counts[w.profile] = counts.get(w.profile, 0) + 1
        return {
            "seed": self.seed,
            "workers": len(self.workers),
            "records": sum(len(w.records) for w in self.workers),
            "by_profile": counts,
        }


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    return date(day.year + total // 12, total % 12 + 1, 1)


class _Codes:
    """The code table looked up by meaning, once."""

    def __init__(self, table: CodeTable) -> None:
        self.table = table
        self.category = {
            kind: _first(k for k, c in table.categories.items() if c.kind == kind)
            for kind in set(_CATEGORY_KIND.values())
        }
        self.reduction = {
            kind: _first(k for k, r in table.reductions.items() if r.reduction == kind)
            for kind in _ALLOWANCE
        }
        self.training = sorted(k for k, r in table.reasons.items() if r.training)
        self.other = sorted(k for k, r in table.reasons.items() if not r.training)
        if not self.training or not self.other:
            raise ValueError("the code table needs training and non-training reasons")

    def value(self, kind: str, code: str) -> CodeValue:
        if kind == "category":
            description = self.table.categories[code].description
        elif kind == "reduction":
            description = self.table.reductions[code].description
        else:
            description = self.table.reasons[code].description
        return CodeValue(code=code, description=description or None)


def _first(codes: Iterable[str]) -> str:
    found = sorted(codes)
    if not found:
        raise ValueError("the code table lacks a code the seed needs")
    return found[0]


def _pick_profile(rng: random.Random) -> str:
    return rng.choices(list(PROFILES), weights=list(PROFILES.values()))[0]


def _records(
    rng: random.Random, codes: _Codes, insz: str, profile: str, serial: int
) -> tuple[CareerBreakRecord, ...]:
    kind = _CATEGORY_KIND[profile]
    count = rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
    begin = _add_months(FIRST_MONTH, rng.randrange(MONTHS_SPAN))
    reduction = rng.choices(("full", "half", "one-fifth"), weights=(25, 35, 40))[0]
    if profile == "training":
        reason: str | None = rng.choices(codes.training, weights=[85, 15][: len(codes.training)])[0]
    elif profile in ("time-credit-other", "care-credit"):
        reason = rng.choice(codes.other)
    else:
        reason = None
    source = CareerBreakSource.VLAANDEREN if kind == "career-break" else CareerBreakSource.RVA
    out: list[CareerBreakRecord] = []
    for n in range(count):
        end = _add_months(begin, rng.choice(_DURATIONS[profile])) - timedelta(days=1)
        allowance = _ALLOWANCE[reduction] + rng.randrange(-40, 60)
        out.append(
            CareerBreakRecord(
                source=source,
                dossier_number=f"{_DOSSIER_PREFIX[kind]}-{begin.year}-{serial * 10 + n:07d}",
                insz=insz,
                period=Period(begin=begin, end=end),
                category=codes.value("category", codes.category[kind]),
                reduction=codes.value("reduction", codes.reduction[reduction]),
                reason=codes.value("reason", reason) if reason is not None else None,
                monthly_allowance=allowance if source is CareerBreakSource.RVA else None,
                average_hours_per_week=_HOURS[reduction],
            )
        )
        begin = end + timedelta(days=1)
    return tuple(out)


def generate(
    seed: int = DEFAULT_SEED, workers: int = DEFAULT_WORKERS, *, codes: CodeTable | None = None
) -> CareerBreakDataset:
    """``workers`` workers (distinct valid INSZ) and their career breaks, from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - simulated data, not security
    table = _Codes(codes or CodeTable.load())
    seen: set[str] = set()
    out: list[SeededWorker] = []
    attempts = 0
    while len(out) < workers and attempts < workers * 10:  # bounded: INSZ collisions are rare
        attempts += 1
        insz = make_insz(rng)
        if insz in seen:
            continue
        seen.add(insz)
        profile = _pick_profile(rng)
        records = () if profile == "none" else _records(rng, table, insz, profile, len(out))
        out.append(SeededWorker(insz, profile, records))
    return CareerBreakDataset(seed, tuple(out))


def mutation_feed(
    dataset: CareerBreakDataset, count: int, *, seed: int | None = None
) -> tuple[CareerBreakMutation, ...]:
    """``count`` attest mutations (mostly new, some cancelled) over the dataset's records.

    Deterministic from ``seed`` (default: the dataset's): the attest number names the position
    in the feed, so a receiver can tell a repeated push from a new one.
    """
    rng = random.Random(dataset.seed if seed is None else seed)  # noqa: S311 - simulated data
    pool: Sequence[CareerBreakRecord] = list(dataset.records())
    if not pool:
        return ()
    out: list[CareerBreakMutation] = []
    for n in range(count):
        record = rng.choice(pool)
        status = AttestStatus.CANCELLED if rng.random() < 0.15 else AttestStatus.NEW
        out.append(
            CareerBreakMutation(
                attest_number=f"ATT-{dataset.seed}-{n + 1:06d}",
                status=status,
                record=record,
            )
        )
    return tuple(out)
