"""Valid Belgian identifiers drawn from a seeded random generator, for simulated and sample data.

The federal simulator's seeded workers (:mod:`adapters.federal.seed`) and the demo's sample
registrations (:mod:`gateway.demo.sample`) need INSZ, KBO and establishment-unit numbers whose
check digits are right (the gateway validates them with python-stdnum), from a
``random.Random`` so that the same seed gives the same data everywhere. Generating is the only
place brug computes a modulo-97 check itself; validating stays with :mod:`gateway.identifiers`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta


def _check97(digits: str) -> str:
    return f"{97 - int(digits) % 97:02d}"


def make_insz(rng: random.Random, *, bis: bool = False) -> str:
    """A valid INSZ (or BIS number) for someone born 1960-2004 (post-2000 rule applied)."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 45 * 365))
    month = born.month + (40 if bis else 0)
    base = f"{born.year % 100:02d}{month:02d}{born.day:02d}{rng.randrange(1, 998):03d}"
    return base + _check97(("2" if born.year >= 2000 else "") + base)


def make_kbo(rng: random.Random) -> str:
    digits = f"0{rng.randrange(2000000, 9999999):07d}"
    return digits + _check97(digits)


def make_unit(rng: random.Random) -> str:
    digits = f"2{rng.randrange(0, 9999999):07d}"
    return digits + _check97(digits)
