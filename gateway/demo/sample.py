"""A reproducible sample of VOV registrations and ODB courses, as Flemish backends would send.

The demo (and later the gateway's load tests) need thousands of records that look like real
traffic: mostly valid, workers in Brussels and Flemish establishment units, some moving between
regions mid-year, and a share of bad input (wrong check digits, courses Brussels does not know).
They are generated from a seed rather than shipped as a large file, so the sample is identical
on every machine and costs nothing in the repository. Records are plain JSON-able dicts: they
enter brug the way a partner's payload does, through validation.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adapters.brussels.crosswalk import Crosswalk, CrosswalkEntry
from adapters.simulation.identifiers import make_insz, make_kbo, make_unit
from gateway.models.bev import BevCourseType
from gateway.models.odb import CourseType, OdbCourse

#: What share of generated registrations carries which deliberate defect.
DEFECT_RATES: dict[str, float] = {
    "bad-insz": 0.02,
    "bad-kbo": 0.01,
    "unknown-course": 0.02,
}
MOVER_RATE = 0.08  # workers who used hours in Flanders earlier in the school year
FLEMISH_UNIT_RATE = 0.15  # registrations that stay in Flanders (routed, not converted)

_ODB_TYPE: dict[BevCourseType, CourseType] = {
    BevCourseType.PROFESSIONAL: CourseType.PROFESSIONAL,
    BevCourseType.GENERAL_UNION: CourseType.GENERAL,
    BevCourseType.UNIVERSITY: CourseType.UNIVERSITY,
    BevCourseType.PROFESSIONAL_BACHELOR: CourseType.PROFESSIONAL_BACHELOR,
    BevCourseType.LANGUAGE: CourseType.LANGUAGE,
}
_EMPLOYERS = (
    "Metaalwerken Zenne NV",
    "Zorggroep Kanaal vzw",
    "Brusselse Boekhouding BV",
    "Logistiek Noord NV",
    "Taalhuis Centrum vzw",
    "Bouwbedrijf Senne NV",
)


def course_for(entry: CrosswalkEntry, provider_kbo: str) -> OdbCourse:
    """An ODB course record for a crosswalk entry (titles are Dutch, as in the ODB)."""
    bev_type = entry.course_type
    study_points = bev_type in (BevCourseType.UNIVERSITY, BevCourseType.PROFESSIONAL_BACHELOR)
    return OdbCourse.model_validate(
        {
            "odb_number": entry.odb_number,
            "title_nl": f"Opleiding {entry.odb_number}",
            "provider": {"kbo": provider_kbo, "name": "Opleidingscentrum", "region": "brussels"},
            "course_type": _ODB_TYPE[bev_type],
            "volume": {
                "amount": "60" if study_points else "120",
                "unit": "study-points" if study_points else "hours",
            },
            "incentives": {"vov": True, "training_vouchers": True, "vok": True},
            "outcomes": ["profession-specific-competences"],
            "qualifying": True,
            "bottleneck_occupation": entry.raised_cap_reason is not None,
            "valid_from": "2019-09-01",
        }
    )


@dataclass(frozen=True, slots=True)
class SampleItem:
    """One registration as a partner would send it, and the course it refers to."""

    registration: dict[str, Any]
    odb_number: str
    defect: str | None  # the defect put in on purpose, None for a clean record


@dataclass(frozen=True, slots=True)
class Sample:
    courses: dict[str, OdbCourse]
    items: tuple[SampleItem, ...]


def generate(count: int, *, seed: int = 2025, crosswalk: Crosswalk | None = None) -> Sample:
    """``count`` registrations for school year 2025-2026 with a fixed share of defects."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    walk = crosswalk or Crosswalk.load()
    entries = [e for e in walk.entries() if "/" not in e.odb_number]
    provider = make_kbo(rng)
    courses = {e.odb_number: course_for(e, provider) for e in entries}
    unknown = OdbCourse.model_validate(
        {**courses[entries[0].odb_number].model_dump(mode="json"), "odb_number": "CE-999999"}
    )
    courses[unknown.odb_number] = unknown
    employers = [(make_kbo(rng), name) for name in _EMPLOYERS]
    return Sample(courses, tuple(_items(rng, count, entries, employers, provider)))


def _items(
    rng: random.Random,
    count: int,
    entries: list[CrosswalkEntry],
    employers: list[tuple[str, str]],
    provider: str,
) -> Iterator[SampleItem]:
    for index in range(count):
        defect = None
        roll = rng.random()
        threshold = 0.0
        for name, rate in DEFECT_RATES.items():
            threshold += rate
            if roll < threshold:
                defect = name
                break
        entry = rng.choice(entries)
        odb_number = "CE-999999" if defect == "unknown-course" else entry.odb_number
        insz = make_insz(rng, bis=rng.random() < 0.05)
        if defect == "bad-insz":
            insz = insz[:-2] + f"{(int(insz[-2:]) + 1) % 100:02d}"
        kbo, employer = rng.choice(employers)
        if defect == "bad-kbo":
            kbo = kbo[:-2] + f"{(int(kbo[-2:]) + 1) % 100:02d}"
        flemish = rng.random() < FLEMISH_UNIT_RATE
        start = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 200))
        prior: list[dict[str, str]] = []
        if not flemish and rng.random() < MOVER_RATE:
            prior.append({"region": "flanders", "hours": f"{rng.randrange(8, 140)}.00"})
        yield SampleItem(
            registration={
                "registration_id": f"VOV-2025-{index + 1:06d}",
                "worker": {
                    "insz": insz,
                    "education_level": rng.choice(["low", "medium", "medium", "high"]),
                    "lives_alone": rng.random() < 0.3,
                },
                "employer": {"kbo": kbo, "name": employer, "sector": "private"},
                "establishment_unit": {
                    "number": make_unit(rng),
                    "region": "flanders" if flemish else "brussels",
                    "postcode": rng.choice(["9000", "2000", "3000"])
                    if flemish
                    else rng.choice(["1000", "1030", "1050", "1080"]),
                },
                "employment": {
                    "fraction": rng.choice(["1.0000", "1.0000", "0.8000", "0.5000", "0.3000"]),
                    "reference_month": "2025-03",
                },
                "odb_number": odb_number,
                "provider_kbo": provider,
                "contact_hours": f"{rng.randrange(32, 200)}.00",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=rng.randrange(30, 250))).isoformat(),
                "prior_use": prior,
            },
            odb_number=odb_number,
            defect=defect,
        )
