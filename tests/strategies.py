"""Hypothesis strategies for every canonical model in :mod:`gateway.models`.

Why this module exists: property tests across brug (XML binding, mappings, rule engines) need
records that *pass* the models' validation, so that a failing property points at the code under
test and not at a generator that produced an impossible INSZ. Identifiers are therefore built
with their real check digits (not filtered out of random digits, which would be slow), and dates,
decimals and strings stay inside the model constraints and the XSD facets that mirror them.

Conventions:

* every strategy returns validated model instances (built with ``model_validate``), except the
  identifier strategies (``insz()``, ``kbo()``, ``establishment_unit_number()``) that return the
  compact string;
* decimals carry exactly the model's number of decimal places (``Decimal("32.50")``), so that
  their XML form is canonical and round trips byte for byte;
* free text uses a realistic alphabet (Dutch / French accents, ``&``, ``<``, quotes) with no
  leading, trailing or repeated spaces: the models strip whitespace, the XSD refuses it at the
  edges, and XML would otherwise normalise line ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from adapters.brussels import xml as bev_xml
from gateway.models import (
    AttestStatus,
    BevCourseType,
    BevRecord,
    CareerBreakMutation,
    CareerBreakQuery,
    CareerBreakRecord,
    CareerBreakResponse,
    CareerBreakSource,
    CodeValue,
    CourseModule,
    CourseOutcome,
    CourseStatus,
    CourseType,
    EducationLevel,
    Employer,
    Employment,
    EstablishmentUnit,
    IncentiveFlags,
    MessageHeader,
    OdbCourse,
    Party,
    Period,
    PriorUse,
    Provider,
    RaisedCapReason,
    RecognitionStatus,
    Reduction,
    Region,
    RuleCheck,
    VokDecision,
    Volume,
    VolumeUnit,
    VovRegistration,
    Worker,
)
from gateway.models.parties import Sector

#: School years the generators cover (first calendar year of each).
FIRST_SCHOOL_YEAR = 2019
LAST_SCHOOL_YEAR = 2026

# --------------------------------------------------------------------------- identifiers


def _mod97_check(number: int) -> int:
    return 97 - number % 97


@st.composite
def insz(draw: st.DrawFn, *, bis: bool | None = None, born_from_2000: bool | None = None) -> str:
    """A valid INSZ/NISS (or BIS number) as 11 compact digits.

    ``bis``: None = either kind, True/False to force. ``born_from_2000`` likewise: those numbers
    compute their check digits over "2" + the first nine digits.
    """
    if born_from_2000 is None:
        born_from_2000 = draw(st.booleans())
    low, high = (
        (date(2000, 1, 1), date(2009, 12, 31))
        if born_from_2000
        else (
            date(1940, 1, 1),
            date(1999, 12, 31),
        )
    )
    birth = draw(st.dates(min_value=low, max_value=high))
    is_bis = draw(st.booleans()) if bis is None else bis
    month = birth.month + (draw(st.sampled_from([20, 40])) if is_bis else 0)
    counter = draw(st.integers(min_value=1, max_value=997))
    first9 = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{counter:03d}"
    base = int(("2" if birth.year >= 2000 else "") + first9)
    return f"{first9}{_mod97_check(base):02d}"


@st.composite
def kbo(draw: st.DrawFn) -> str:
    """A valid KBO/BCE enterprise number: 10 digits, leading 0 or 1, mod-97 check."""
    first8 = draw(st.integers(min_value=2_000_000, max_value=19_999_999))
    return f"{first8:08d}{_mod97_check(first8):02d}"


@st.composite
def establishment_unit_number(draw: st.DrawFn) -> str:
    """A valid establishment-unit number: 10 digits starting 2-8, same mod-97 check."""
    first8 = draw(st.integers(min_value=20_000_000, max_value=89_999_999))
    return f"{first8:08d}{_mod97_check(first8):02d}"


def odb_numbers(*, module: bool | None = False) -> st.SearchStrategy[str]:
    """ODB numbers in the ``CE-100001`` style the crosswalk uses, sometimes other prefixes."""
    base = st.one_of(
        st.integers(min_value=100_001, max_value=100_050).map(lambda n: f"CE-{n}"),
        st.from_regex(r"[A-Z]{2,4}-[0-9]{4,8}", fullmatch=True),
    )
    if module is False:
        return base
    suffix = st.integers(min_value=1, max_value=999).map(lambda n: f"/M{n}")
    if module is True:
        return st.tuples(base, suffix).map("".join)
    return st.tuples(base, st.one_of(st.just(""), suffix)).map("".join)


def recognition_references() -> st.SearchStrategy[str]:
    """BEE course recognition references (``BEE-2024-00123``)."""
    return st.tuples(
        st.integers(min_value=2019, max_value=2027), st.integers(min_value=1, max_value=999_999)
    ).map(lambda t: f"BEE-{t[0]}-{t[1]:05d}")


def record_ids(prefix: str = "REC") -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=1, max_value=10**9).map(lambda n: f"{prefix}-{n}"),
        st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True),
    )


# --------------------------------------------------------------------------- primitive values

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâçôöüïîÉÈ0123456789"
_PUNCT = "-'&<>().,/\"+"
_WORD = st.text(alphabet=_LETTERS + _PUNCT, min_size=1, max_size=12)


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Realistic free text: words joined by single spaces, no surrounding whitespace."""

    def _join(words: list[str]) -> str:
        return " ".join(words)[:max_size].strip() or "x"

    return st.lists(_WORD, min_size=1, max_size=6).map(_join)


def decimals(
    max_value: Decimal | int | str, *, places: int, min_value: Decimal | int | str = 0
) -> st.SearchStrategy[Decimal]:
    """Decimals with exactly ``places`` decimals, e.g. ``Decimal("32.50")`` for places=2."""
    scale = 10**places
    low = int(Decimal(min_value) * scale)
    high = int(Decimal(max_value) * scale)
    return st.integers(min_value=low, max_value=high).map(lambda n: Decimal(n).scaleb(-places))


def school_years() -> st.SearchStrategy[int]:
    """The first calendar year of a school year, 2019 (2019-2020) to 2026 (2026-2027)."""
    return st.integers(min_value=FIRST_SCHOOL_YEAR, max_value=LAST_SCHOOL_YEAR)


def school_year_label(first_year: int) -> str:
    return f"{first_year}-{first_year + 1}"


def dates_in_school_year(first_year: int) -> st.SearchStrategy[date]:
    return st.dates(min_value=date(first_year, 9, 1), max_value=date(first_year + 1, 8, 31))


@st.composite
def course_dates(
    draw: st.DrawFn, first_year: int | None = None
) -> tuple[int, date, date, tuple[date, ...]]:
    """(school year, start, end, exam dates) with start inside the school year, end >= start."""
    year = draw(school_years()) if first_year is None else first_year
    start = draw(dates_in_school_year(year))
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=400)))
    exams = draw(
        st.lists(
            st.dates(min_value=start, max_value=end + timedelta(days=30)),
            max_size=3,
            unique=True,
        ).map(sorted)
    )
    return year, start, end, tuple(exams)


_OFFSETS = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2))]


def aware_datetimes() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(2019, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.sampled_from(_OFFSETS),
    )


def _build(model: type[Any]) -> Any:
    return model.model_validate


# --------------------------------------------------------------------------- parties


def workers() -> st.SearchStrategy[Worker]:
    return st.builds(
        _build(Worker),
        st.fixed_dictionaries(
            {"insz": insz()},
            optional={
                "education_level": st.sampled_from(EducationLevel),
                "lives_alone": st.booleans(),
            },
        ),
    )


def employers() -> st.SearchStrategy[Employer]:
    return st.builds(
        _build(Employer),
        st.fixed_dictionaries(
            {"kbo": kbo(), "name": texts(200), "sector": st.sampled_from(Sector)}
        ),
    )


def establishment_units(region: Region | None = None) -> st.SearchStrategy[EstablishmentUnit]:
    postcodes = {
        Region.FLANDERS: st.sampled_from(["9000", "2000", "3000", "8500", "3500"]),
        Region.BRUSSELS: st.sampled_from(["1000", "1030", "1050", "1060", "1210"]),
        Region.WALLONIA: st.sampled_from(["4000", "5000", "6000", "7000"]),
        Region.GERMAN_SPEAKING: st.sampled_from(["4700", "4780"]),
    }
    regions = st.just(region) if region is not None else st.sampled_from(Region)

    @st.composite
    def _unit(draw: st.DrawFn) -> EstablishmentUnit:
        chosen = draw(regions)
        data: dict[str, Any] = {"number": draw(establishment_unit_number()), "region": chosen}
        if draw(st.booleans()):
            data["postcode"] = draw(postcodes[chosen])
        return EstablishmentUnit.model_validate(data)

    return _unit()


def employments(reference_month: str | None = None) -> st.SearchStrategy[Employment]:
    fractions = st.one_of(
        st.sampled_from(
            [Decimal("1.0000"), Decimal("0.8000"), Decimal("0.5000"), Decimal("0.2500")]
        ),
        decimals(1, places=4),
    )
    months = (
        st.just(reference_month)
        if reference_month
        else st.tuples(st.integers(2019, 2027), st.integers(1, 12)).map(
            lambda t: f"{t[0]}-{t[1]:02d}"
        )
    )
    return st.builds(
        _build(Employment),
        st.fixed_dictionaries({"fraction": fractions, "reference_month": months}),
    )


# --------------------------------------------------------------------------- header


PARTY_CODES = ["flanders-wse", "brussels-bee", "federal-rva", "ksz-bcss", "magda", "brug-gateway"]
PURPOSES = ["VOV_REFUND", "BEV_TRANSFER", "ODB_LOOKUP", "VOK_AUTOMATION", "CAREER_BREAK_MUTATION"]


def parties() -> st.SearchStrategy[Party]:
    codes = st.one_of(
        st.sampled_from(PARTY_CODES), st.from_regex(r"[a-z][a-z0-9-]{1,39}", fullmatch=True)
    )
    return st.builds(_build(Party), st.fixed_dictionaries({"code": codes}, optional={"kbo": kbo()}))


def message_headers() -> st.SearchStrategy[MessageHeader]:
    purposes = st.one_of(
        st.sampled_from(PURPOSES), st.from_regex(r"[A-Z][A-Z0-9_-]{2,63}", fullmatch=True)
    )
    return st.builds(
        _build(MessageHeader),
        st.fixed_dictionaries(
            {
                "message_id": st.uuids(),
                "timestamp": aware_datetimes(),
                "sender": parties(),
                "recipient": parties(),
                "purpose": purposes,
            },
            optional={
                "legal_basis": texts(300),
                "correlation_id": st.one_of(st.uuids().map(str), record_ids("CORR")),
            },
        ),
    )


# --------------------------------------------------------------------------- ODB


def volumes(unit: VolumeUnit | None = None) -> st.SearchStrategy[Volume]:
    return st.builds(
        _build(Volume),
        st.fixed_dictionaries(
            {
                "amount": decimals(2000, places=2, min_value=Decimal("0.01")),
                "unit": st.just(unit) if unit else st.sampled_from(VolumeUnit),
            }
        ),
    )


def providers() -> st.SearchStrategy[Provider]:
    return st.builds(
        _build(Provider),
        st.fixed_dictionaries(
            {"kbo": kbo(), "name": texts(200)},
            optional={
                "region": st.sampled_from(Region),
                "wse_quality_registration": st.from_regex(r"KR-[0-9]{4,8}", fullmatch=True),
            },
        ),
    )


def course_modules() -> st.SearchStrategy[CourseModule]:
    return st.builds(
        _build(CourseModule),
        st.fixed_dictionaries(
            {"odb_number": odb_numbers(module=True), "title": texts(300), "volume": volumes()}
        ),
    )


@st.composite
def odb_courses(draw: st.DrawFn, *, odb_number: str | None = None) -> OdbCourse:
    valid_from = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 8, 31)))
    data: dict[str, Any] = {
        "odb_number": odb_number or draw(odb_numbers()),
        "title_nl": draw(texts(300)),
        "provider": draw(providers()),
        "course_type": draw(st.sampled_from(CourseType)),
        "volume": draw(volumes()),
        "modules": tuple(draw(st.lists(course_modules(), max_size=3))),
        "incentives": IncentiveFlags(
            vov=draw(st.booleans()), training_vouchers=draw(st.booleans()), vok=draw(st.booleans())
        ),
        "outcomes": tuple(
            draw(st.lists(st.sampled_from(CourseOutcome), min_size=1, max_size=4, unique=True))
        ),
        "first_diploma_only": draw(st.booleans()),
        "qualifying": draw(st.booleans()),
        "bottleneck_occupation": draw(st.booleans()),
        "entrepreneurship": draw(st.booleans()),
        "status": draw(st.sampled_from(CourseStatus)),
        "valid_from": valid_from,
    }
    if draw(st.booleans()):
        data["valid_until"] = valid_from + timedelta(days=draw(st.integers(0, 3000)))
    return OdbCourse.model_validate(data)


# --------------------------------------------------------------------------- VOV


def prior_uses() -> st.SearchStrategy[PriorUse]:
    return st.builds(
        _build(PriorUse),
        st.fixed_dictionaries(
            {"region": st.sampled_from(Region), "hours": decimals(250, places=2)}
        ),
    )


@st.composite
def vov_registrations(
    draw: st.DrawFn, *, region: Region | None = None, school_year: int | None = None
) -> VovRegistration:
    """A VOV registration; ``region`` fixes the establishment unit's region (routing key)."""
    year, start, end, exams = draw(course_dates(school_year))
    data: dict[str, Any] = {
        "registration_id": draw(record_ids("VOV")),
        "worker": draw(workers()),
        "employer": draw(employers()),
        "establishment_unit": draw(establishment_units(region)),
        "employment": draw(employments(f"{year}-03")),
        "odb_number": draw(odb_numbers(module=None)),
        "provider_kbo": draw(kbo()),
        "contact_hours": draw(decimals(400, places=2)),
        "start_date": start,
        "end_date": end,
        "exam_dates": exams,
        "joint_initiative": draw(st.booleans()),
        "prior_use": tuple(draw(st.lists(prior_uses(), max_size=2))),
    }
    if draw(st.booleans()):
        data["study_points"] = draw(decimals(60, places=1))
    if draw(st.booleans()):
        data["attest_date"] = start - timedelta(days=draw(st.integers(0, 60)))
    return VovRegistration.model_validate(data)


# --------------------------------------------------------------------------- BEV


@st.composite
def bev_records(draw: st.DrawFn, *, version: int | None = None) -> BevRecord:
    """A BEV record; ``version`` keeps it inside what that wire version can carry.

    version=1: the title language stays the default ("nl"): v1 has no element for it.
    version=2: the low-education raise exactly where v2 derives it (professional course, low or
    medium education level), since v2 narrowed that enumeration value away.
    """
    year, start, end, exams = draw(course_dates())
    cap = draw(decimals(180, places=2))
    claimable = draw(decimals(cap, places=2))
    reasons = list(RaisedCapReason)
    data: dict[str, Any] = {
        "record_id": draw(record_ids("BEV")),
        "school_year": school_year_label(year),
        "worker": draw(workers()),
        "employer": draw(employers()),
        "establishment_unit": draw(establishment_units(Region.BRUSSELS)),
        "employment": draw(employments(f"{year}-09")),
        "recognition_reference": draw(recognition_references()),
        "course_title": draw(texts(300)),
        "course_type": draw(st.sampled_from(BevCourseType)),
        "provider_kbo": draw(kbo()),
        "provider_recognition": draw(st.sampled_from(RecognitionStatus)),
        "contact_hours": draw(decimals(400, places=2, min_value=32)),
        "start_date": start,
        "end_date": end,
        "exam_dates": exams,
        "hours_cap": cap,
        "hours_already_used": draw(decimals(250, places=2)),
        "hours_claimable": claimable,
        "flat_rate_eur": draw(st.sampled_from([Decimal("22.07"), Decimal("21.30")])),
        "refund_window_start": date(year + 1, 9, 1),
        "refund_window_end": date(year + 1, 12, 31),
    }
    if draw(st.booleans()):
        data["odb_number"] = draw(odb_numbers(module=None))
    if version != 1:
        data["course_title_language"] = draw(st.sampled_from(["nl", "fr", "de", "en"]))
    if draw(st.booleans()):
        data["raised_cap_reason"] = draw(st.sampled_from(reasons))
    if draw(st.booleans()):
        data["source_region"] = draw(st.sampled_from(Region))
        data["source_registration_id"] = draw(record_ids("VOV"))
    record = BevRecord.model_validate(data)
    if version == 2:
        derived = bev_xml.derives_low_education(record.course_type, record.worker.education_level)
        reason = record.raised_cap_reason
        if derived and reason is None:
            record = record.model_copy(update={"raised_cap_reason": RaisedCapReason.LOW_EDUCATION})
        elif not derived and reason is RaisedCapReason.LOW_EDUCATION:
            record = record.model_copy(update={"raised_cap_reason": None})
    return record


# --------------------------------------------------------------------------- career breaks


def code_values(digits: int = 2) -> st.SearchStrategy[CodeValue]:
    pattern = r"[0-9]" if digits == 1 else r"[0-9]{1,2}"
    return st.builds(
        _build(CodeValue),
        st.fixed_dictionaries(
            {"code": st.from_regex(pattern, fullmatch=True)},
            optional={"description": texts(200)},
        ),
    )


@st.composite
def periods(draw: st.DrawFn, *, open_ended: bool | None = None) -> Period:
    begin = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 8, 31)))
    has_end = draw(st.booleans()) if open_ended is None else not open_ended
    end = begin + timedelta(days=draw(st.integers(0, 1100))) if has_end else None
    return Period(begin=begin, end=end)


@st.composite
def career_break_records(draw: st.DrawFn, *, insz_value: str | None = None) -> CareerBreakRecord:
    data: dict[str, Any] = {
        "source": draw(st.sampled_from(CareerBreakSource)),
        "insz": insz_value or draw(insz()),
        "period": draw(periods()),
        "category": draw(code_values(1)),
        "reduction": draw(code_values()),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "dossier_number": st.from_regex(r"[0-9A-Z/-]{1,30}", fullmatch=True),
        "regime": code_values(),
        "reason": code_values(),
        "contract": code_values(),
        "monthly_allowance": st.integers(min_value=0, max_value=5000),
        "average_hours_per_week": decimals(60, places=2),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    return CareerBreakRecord.model_validate(data)


def _sources() -> st.SearchStrategy[tuple[CareerBreakSource, ...]]:
    return st.lists(st.sampled_from(CareerBreakSource), unique=True, max_size=4).map(tuple)


@st.composite
def career_break_queries(draw: st.DrawFn) -> CareerBreakQuery:
    return CareerBreakQuery(insz=draw(insz()), period=draw(periods()), sources=draw(_sources()))


@st.composite
def career_break_responses(draw: st.DrawFn) -> CareerBreakResponse:
    person = draw(insz())
    records = draw(st.lists(career_break_records(insz_value=person), max_size=4))
    return CareerBreakResponse(insz=person, period=draw(periods()), records=tuple(records))


def career_break_mutations() -> st.SearchStrategy[CareerBreakMutation]:
    return st.builds(
        _build(CareerBreakMutation),
        st.fixed_dictionaries(
            {
                "attest_number": st.from_regex(r"[A-Za-z0-9._/-]{1,30}", fullmatch=True),
                "status": st.sampled_from(AttestStatus),
                "record": career_break_records(),
            }
        ),
    )


# --------------------------------------------------------------------------- VOK


def rule_checks() -> st.SearchStrategy[RuleCheck]:
    return st.builds(
        _build(RuleCheck),
        st.fixed_dictionaries(
            {
                "rule": st.sampled_from(
                    ["vok.training-motive", "vok.region", "vok.education-level", "vok.contract"]
                ),
                "passed": st.booleans(),
                "message": texts(120),
            },
            optional={"evaluated": st.booleans()},
        ),
    )


@st.composite
def vok_decisions(draw: st.DrawFn) -> VokDecision:
    eligible = draw(st.booleans())
    data: dict[str, Any] = {
        "insz": draw(insz()),
        "odb_number": draw(odb_numbers()),
        "period": draw(periods()),
        "eligible": eligible,
        "rule_data_version": draw(st.sampled_from(["vok-2019-1", "vok-2024-1"])),
        "checks": tuple(draw(st.lists(rule_checks(), min_size=1, max_size=5))),
    }
    if eligible:
        data["reduction"] = draw(st.sampled_from(Reduction))
        data["monthly_premium_eur"] = draw(decimals(600, places=2))
        if draw(st.booleans()):
            data["single_supplement_eur"] = Decimal("49.80")
    if draw(st.booleans()):
        data["career_break_dossier"] = draw(st.from_regex(r"[0-9]{6,12}", fullmatch=True))
    return VokDecision.model_validate(data)


__all__ = [
    "aware_datetimes",
    "bev_records",
    "career_break_mutations",
    "career_break_queries",
    "career_break_records",
    "career_break_responses",
    "code_values",
    "course_dates",
    "course_modules",
    "decimals",
    "employers",
    "employments",
    "establishment_unit_number",
    "establishment_units",
    "insz",
    "kbo",
    "message_headers",
    "odb_courses",
    "odb_numbers",
    "parties",
    "periods",
    "prior_uses",
    "providers",
    "recognition_references",
    "record_ids",
    "rule_checks",
    "school_years",
    "texts",
    "vok_decisions",
    "volumes",
    "vov_registrations",
    "workers",
]
