"""Rule data: the figures each scheme uses, as versioned TOML with a validity per entry.

Caps, flat rates, wage caps and premiums change every school year (or by decision in between),
so they are data, not constants: a new school year is a new TOML layer, not a release. Every
entry says when it is valid, whether it is ``confirmed`` and where it comes from (``source``).
Unconfirmed entries (announced cuts, assumptions) are ignored unless the caller asks for them,
so a rumour never silently changes a refund; a resolved view lists the unconfirmed values it
did use, and every view carries the ``version`` of the files that decided it.

Every file and every entry has a ``status`` (an entry inherits its file's): ``confirmed`` (a
source vouches for the figure over the entry's whole validity, which must then be closed),
``assumed`` (applied, with the assumption in words: e.g. last year's figure carried into a year
no source covers yet), ``sample`` (invented for demos and tests) and ``unconfirmed`` (an
announced change, off unless switched on). A view built with anything but confirmed entries
lists why in ``provisional``, and every decision made from it says so.

Resolution of one parameter at a date: among the entries whose validity contains the date (and
that are confirmed, unless unconfirmed ones are enabled), the one with the latest ``from`` wins
(the most recent decision), then the later layer (an override file), then an unconfirmed entry
over a confirmed one with the same start (it is the change being tried out).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from gateway.errors import BrugValidationError, Violation
from gateway.models.bev import BevCourseType, RaisedCapReason
from gateway.models.odb import CourseType
from gateway.models.parties import EducationLevel
from gateway.models.vok import Reduction
from gateway.rules import schoolyear
from gateway.validation import violations_from_pydantic

#: Directory of the rule data shipped with brug.
DEFAULT_DATA_DIR = Path(__file__).parent / "data"
#: Extra rule directories (``os.pathsep``-separated), layered over the shipped data.
ENV_RULES_DIR = "BRUG_RULES_DIR"
#: Set to 1/true/yes to apply unconfirmed entries (e.g. to simulate an announced cut).
ENV_INCLUDE_UNCONFIRMED = "BRUG_RULES_INCLUDE_UNCONFIRMED"

UNKNOWN_SCHOOL_YEAR = "rules.unknown-school-year"

_CENT = Decimal("0.01")
_TEN_THOUSANDTH = Decimal("0.0001")


# --- value types -------------------------------------------------------------------------


def _exact_decimal(quantum: Decimal) -> Callable[[Any], Any]:
    """Parse money/hours from a TOML string or integer, never a float (21.3 is not 21.30)."""

    def parse(value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError('write decimal figures as strings ("21.30"), not TOML floats')
        if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
            parsed = Decimal(str(value))
            if parsed != parsed.quantize(quantum):
                raise ValueError(f"at most {-quantum.as_tuple().exponent} decimals")  # type: ignore[operator]
            return parsed.quantize(quantum)
        return value

    return parse


Money = Annotated[Decimal, BeforeValidator(_exact_decimal(_CENT)), Field(ge=0)]
Hours = Annotated[Decimal, BeforeValidator(_exact_decimal(_CENT)), Field(ge=0)]
Fraction = Annotated[Decimal, BeforeValidator(_exact_decimal(_TEN_THOUSANDTH)), Field(ge=0, le=1)]


def _boundary(kind: Literal["from", "to"]) -> Callable[[Any], Any]:
    """A validity boundary is a school year ("2024-2025") or a date (TOML date or ISO text)."""

    def parse(value: Any) -> Any:
        if isinstance(value, str) and schoolyear.is_school_year(value):
            first, last = schoolyear.bounds(value)
            return first if kind == "from" else last
        return value

    return parse


ValidFrom = Annotated[date, BeforeValidator(_boundary("from"))]
ValidTo = Annotated[date, BeforeValidator(_boundary("to"))]

_FILE_CONFIG = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

V = TypeVar("V")


class Status(StrEnum):
    """How far a figure can be trusted; anything but ``confirmed`` makes a decision provisional."""

    CONFIRMED = "confirmed"  # a named source vouches for it over the whole validity
    ASSUMED = "assumed"  # applied, with the assumption stated (``assumption``)
    SAMPLE = "sample"  # invented for demos and tests; ``brug serve`` refuses it unless allowed
    UNCONFIRMED = "unconfirmed"  # an announced change: off unless unconfirmed values are enabled


class Entry(BaseModel, Generic[V]):
    """One figure with its validity, status and source.

    ``status`` may be left out to inherit the file's; ``confirmed = true|false`` (the form
    before statuses existed) still reads as ``confirmed`` / ``unconfirmed``.
    """

    model_config = _FILE_CONFIG

    valid_from: ValidFrom = Field(alias="from")
    valid_to: ValidTo | None = Field(default=None, alias="to", description="open: until replaced")
    status: Status | None = None
    confirmed: bool | None = Field(default=None, description="legacy form of status")
    source: str = Field(min_length=1)
    assumption: str | None = Field(default=None, min_length=1)
    note: str | None = None
    value: V

    @model_validator(mode="after")
    def _one_status(self) -> Entry[V]:
        if self.status is not None and self.confirmed is not None:
            raise ValueError("give status or the legacy confirmed, not both")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("'to' is before 'from'")
        return self

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def status_in(self, file_status: Status) -> Status:
        """This entry's status, inherited from its file when not set."""
        if self.status is not None:
            return self.status
        if self.confirmed is not None:
            return Status.CONFIRMED if self.confirmed else Status.UNCONFIRMED
        return file_status


class Coverage(BaseModel):
    """The dates a file vouches for: outside them brug refuses to decide (unknown school year)."""

    model_config = _FILE_CONFIG

    valid_from: ValidFrom = Field(alias="from")
    valid_to: ValidTo = Field(alias="to")

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


class FractionReference(StrEnum):
    """Which month's employment fraction a scheme reads."""

    MARCH_BEFORE = "march-before"  # VOV since 2023-24
    SEPTEMBER_OR_START_MONTH = "september-or-start-month"  # BEV; VOV before 2023-24


class CourseMinimum(BaseModel):
    """A course qualifies with any one of these volumes (VOV: 32 h, 32 lesson periods, 3 SP)."""

    model_config = _FILE_CONFIG

    contact_hours: Hours
    lesson_periods: Hours
    study_points: Hours


class RefundWindow(BaseModel):
    """When the employer may file a refund, relative to an anchor date (inclusive window).

    ``course-start``: [start − months_before, start + months_after] (VOV).
    ``after-school-year``: anchor 1 September after the school year, window [anchor −
    months_before, anchor + months_after − 1 day] (BEV: 1 September to 31 December).
    """

    model_config = _FILE_CONFIG

    anchor: Literal["course-start", "after-school-year"]
    months_before: int = Field(ge=0, le=24)
    months_after: int = Field(ge=0, le=24)


class CapRow(BaseModel):
    """Brussels cap for one course type: the base, and the raised cap per reason."""

    model_config = _FILE_CONFIG

    base: Hours
    raised: dict[RaisedCapReason, Hours] = Field(default_factory=dict)


class VolumeRule(BaseModel):
    """Federal minimum course volume for time credit with a training motive."""

    model_config = _FILE_CONFIG

    hours_per_year: Hours
    hours_per_quarter: Hours
    study_points_per_year: Hours
    study_points_per_quarter: Hours
    reduced_hours_per_year: Hours
    reduced_hours_per_quarter: Hours
    reduced_course_types: tuple[CourseType, ...]


class PremiumTier(BaseModel):
    """Which premium a break gets for the work done the year before it (VOK since 2021-09-01).

    A ``reduction`` break after a work fraction in [``min_worked_before``,
    ``max_worked_before``) pays the ``premium_eur`` amount of ``pays``; a break that fits no
    row gets no premium.
    """

    model_config = _FILE_CONFIG

    reduction: Reduction
    min_worked_before: Fraction
    max_worked_before: Fraction | None = Field(default=None, description="exclusive; none: 100%")
    pays: Reduction = Field(description="the premium_eur amount this row pays")

    def fits(self, reduction: Reduction, worked_before: Decimal) -> bool:
        return (
            reduction is self.reduction
            and worked_before >= self.min_worked_before
            and (self.max_worked_before is None or worked_before < self.max_worked_before)
        )


# --- files ---------------------------------------------------------------------------------


class _RuleFile(BaseModel):
    model_config = _FILE_CONFIG

    version: str = Field(min_length=1, max_length=64)
    description: str = ""
    source: str = Field(min_length=1, description="where the file's figures come from")
    status: Status = Field(description="the default status of the file's entries")
    coverage: Coverage | None = Field(
        default=None, description="dates this file vouches for; a layer may only add entries"
    )

    def parameters(self) -> Iterable[tuple[str, tuple[Entry[Any], ...]]]:
        """(name, entries) of every parameter the file holds."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, tuple) and all(isinstance(e, Entry) for e in value):
                yield name, value


class VovFile(_RuleFile):
    scheme: Literal["vov"]
    cap_hours: tuple[Entry[Hours], ...] = ()
    joint_initiative_extra_hours: tuple[Entry[Hours], ...] = ()
    max_hours: tuple[Entry[Hours], ...] = ()
    flat_rate_eur: tuple[Entry[Money], ...] = ()
    wage_cap_month_eur: tuple[Entry[Money], ...] = ()
    min_fraction: tuple[Entry[Fraction], ...] = ()
    min_weekly_hours: tuple[Entry[Hours], ...] = ()
    fraction_reference: tuple[Entry[FractionReference], ...] = ()
    course_minimum: tuple[Entry[CourseMinimum], ...] = ()
    attendance_minimum: tuple[Entry[Fraction], ...] = ()
    refund_window: tuple[Entry[RefundWindow], ...] = ()


class BevFile(_RuleFile):
    scheme: Literal["bev"]
    min_fraction: tuple[Entry[Fraction], ...] = ()
    fraction_reference: tuple[Entry[FractionReference], ...] = ()
    min_contact_hours: tuple[Entry[Hours], ...] = ()
    flat_rate_eur: tuple[Entry[Money], ...] = ()
    refund_window: tuple[Entry[RefundWindow], ...] = ()
    caps: tuple[Entry[dict[BevCourseType, CapRow]], ...] = ()


class VokFile(_RuleFile):
    scheme: Literal["vok"]
    premium_eur: tuple[Entry[dict[Reduction, Money]], ...] = ()
    premium_tiers: tuple[Entry[tuple[PremiumTier, ...]], ...] = ()
    single_supplement_eur: tuple[Entry[Money], ...] = ()
    allowed_reductions: tuple[Entry[tuple[Reduction, ...]], ...] = ()
    volume: tuple[Entry[VolumeRule], ...] = ()
    retroactive_months: tuple[Entry[int], ...] = ()
    min_contract_months: tuple[Entry[int], ...] = ()
    education_levels: tuple[Entry[tuple[EducationLevel, ...]], ...] = ()


RuleFile = VovFile | BevFile | VokFile
_FILE_MODELS: dict[str, type[VovFile] | type[BevFile] | type[VokFile]] = {
    "vov": VovFile,
    "bev": BevFile,
    "vok": VokFile,
}


# --- resolved views ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VovRules:
    """Flemish training-leave figures for one school year."""

    school_year: str
    version: str
    cap_hours: Decimal
    joint_initiative_extra_hours: Decimal | None  # None: no joint-initiative right that year
    max_hours: Decimal
    flat_rate_eur: Decimal
    wage_cap_month_eur: Decimal | None  # None: no figure in the rule data
    min_fraction: Decimal
    min_weekly_hours: Decimal | None
    fraction_reference: FractionReference | None
    course_minimum: CourseMinimum
    attendance_minimum: Decimal | None  # None: no attendance rule that year
    refund_window: RefundWindow
    unconfirmed: tuple[str, ...] = field(default=())
    provisional: tuple[str, ...] = field(default=())
    sources: Mapping[str, str] = field(default_factory=dict)  # parameter -> entry source


@dataclass(frozen=True, slots=True)
class BevRules:
    """Brussels paid-educational-leave figures for one school year."""

    school_year: str
    version: str
    min_fraction: Decimal
    fraction_reference: FractionReference
    min_contact_hours: Decimal
    flat_rate_eur: Decimal
    refund_window: RefundWindow
    caps: Mapping[BevCourseType, CapRow]
    unconfirmed: tuple[str, ...] = field(default=())
    provisional: tuple[str, ...] = field(default=())
    sources: Mapping[str, str] = field(default_factory=dict)  # parameter -> entry source


@dataclass(frozen=True, slots=True)
class VokRules:
    """Flemish training-credit (VOK) figures on one date."""

    on_date: date
    version: str
    premium_eur: Mapping[Reduction, Decimal]
    premium_tiers: tuple[PremiumTier, ...] | None  # None: the amount follows the reduction only
    single_supplement_eur: Decimal
    allowed_reductions: tuple[Reduction, ...]
    volume: VolumeRule
    retroactive_months: int
    min_contract_months: int
    education_levels: tuple[EducationLevel, ...]
    unconfirmed: tuple[str, ...] = field(default=())
    provisional: tuple[str, ...] = field(default=())
    sources: Mapping[str, str] = field(default_factory=dict)  # parameter -> entry source


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleLayer:
    """One loaded file and where it came from (for error messages and the version trail)."""

    file: RuleFile
    origin: str


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "on"}


def load_rule_file(path: Path) -> RuleLayer:
    """Parse and validate one TOML rule file; every problem is reported at once."""
    origin = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BrugValidationError(
            [Violation(origin, "rules.file-unreadable", str(exc))], context="rule data"
        ) from None
    scheme = raw.get("scheme")
    model = _FILE_MODELS.get(scheme) if isinstance(scheme, str) else None
    if model is None:
        raise BrugValidationError(
            [
                Violation(
                    f"{origin}:scheme",
                    "rules.unknown-scheme",
                    f"scheme must be one of {', '.join(_FILE_MODELS)}",
                    str(scheme),
                )
            ],
            context="rule data",
        )
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        violations = [
            Violation(f"{origin}:{v.path}", v.rule, v.message, v.value)
            for v in violations_from_pydantic(exc)
        ]
        raise BrugValidationError(violations, context="rule data") from None
    problems = file_violations(parsed, origin)
    if problems:
        raise BrugValidationError(problems, context="rule data")
    return RuleLayer(parsed, origin)


def _interval(entry: Entry[Any]) -> tuple[date, date]:
    return entry.valid_from, entry.valid_to or date.max


def file_violations(file: RuleFile, origin: str) -> list[Violation]:
    """Rules across entries that a schema cannot state, every one named.

    ``rules.open-validity``: a confirmed entry says until when its source vouches for it (an
    open end is how figures got stretched past their source); ``rules.assumption-missing``: an
    assumed entry says what is assumed; ``rules.outside-coverage``: an entry starts after the
    file's coverage; ``rules.overlap``: two entries of one parameter applied by default
    (confirmed, assumed, sample) overlap in one file, so which one decides would be an accident
    of ordering. Unconfirmed entries may overlap: they are the change being tried out.
    """
    violations: list[Violation] = []
    for name, entries in file.parameters():
        applied: list[tuple[int, Entry[Any]]] = []
        for index, entry in enumerate(entries):
            where = f"{origin}:{name}[{index}]"
            status = entry.status_in(file.status)
            if status is Status.CONFIRMED and entry.valid_to is None:
                violations.append(
                    Violation(
                        f"{where}.to",
                        "rules.open-validity",
                        "a confirmed figure needs 'to': the last day its source vouches for "
                        "(carry it further as a separate assumed entry)",
                    )
                )
            if status is Status.ASSUMED and not entry.assumption:
                violations.append(
                    Violation(
                        f"{where}.assumption",
                        "rules.assumption-missing",
                        "an assumed figure states its assumption in words",
                    )
                )
            if file.coverage is not None and entry.valid_from > file.coverage.valid_to:
                violations.append(
                    Violation(
                        f"{where}.from",
                        "rules.outside-coverage",
                        f"starts after the file's coverage ({file.coverage.valid_to})",
                        entry.valid_from.isoformat(),
                    )
                )
            if status is not Status.UNCONFIRMED:
                applied.append((index, entry))
        for i, (first_index, first) in enumerate(applied):
            for second_index, second in applied[i + 1 :]:
                a, b = _interval(first), _interval(second)
                if a[0] <= b[1] and b[0] <= a[1]:
                    violations.append(
                        Violation(
                            f"{origin}:{name}[{second_index}]",
                            "rules.overlap",
                            f"overlaps {name}[{first_index}] ({first.valid_from}.."
                            f"{first.valid_to or 'open'}); close one of them",
                            f"{second.valid_from}..{second.valid_to or 'open'}",
                        )
                    )
    return violations


def _files_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise BrugValidationError(
            [Violation(str(directory), "rules.dir-missing", "rule directory does not exist")],
            context="rule data",
        )
    return sorted(directory.glob("*.toml"))


class RuleBook:
    """All rule data brug knows, layered, resolved per school year (VOV, BEV) or date (VOK).

    Immutable once built; resolved views are cached, so a mapping may ask for the same school
    year a million times at the cost of a dict lookup.
    """

    def __init__(self, layers: Sequence[RuleLayer], *, include_unconfirmed: bool = False) -> None:
        self.layers: tuple[RuleLayer, ...] = tuple(layers)
        self.include_unconfirmed = include_unconfirmed
        self._vov: dict[str, VovRules] = {}
        self._bev: dict[str, BevRules] = {}
        self._vok: dict[date, VokRules] = {}

    @classmethod
    def load(
        cls,
        extra_dirs: Path | str | Sequence[Path | str] | None = None,
        *,
        include_unconfirmed: bool | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> RuleBook:
        """The shipped rule data plus extra layers.

        ``extra_dirs`` defaults to ``$BRUG_RULES_DIR`` and ``include_unconfirmed`` to
        ``$BRUG_RULES_INCLUDE_UNCONFIRMED``; files in a directory load in name order, later
        directories over earlier ones.
        """
        env = os.environ if environ is None else environ
        if extra_dirs is None:
            listed = env.get(ENV_RULES_DIR, "")
            dirs = [Path(p) for p in listed.split(os.pathsep) if p.strip()]
        elif isinstance(extra_dirs, Path | str):
            dirs = [Path(extra_dirs)]
        else:
            dirs = [Path(p) for p in extra_dirs]
        if include_unconfirmed is None:
            include_unconfirmed = _truthy(env.get(ENV_INCLUDE_UNCONFIRMED))
        paths = _files_in(DEFAULT_DATA_DIR) + [p for d in dirs for p in _files_in(d)]
        return cls.from_files(paths, include_unconfirmed=include_unconfirmed)

    @classmethod
    def from_files(cls, paths: Iterable[Path], *, include_unconfirmed: bool = False) -> RuleBook:
        errors: list[BrugValidationError] = []
        layers: list[RuleLayer] = []
        for path in paths:
            try:
                layers.append(load_rule_file(path))
            except BrugValidationError as exc:
                errors.append(exc)
        if errors:
            raise BrugValidationError.merge(errors, context="rule data")
        return cls(layers, include_unconfirmed=include_unconfirmed)

    def versions(self, scheme: str) -> tuple[str, ...]:
        return tuple(layer.file.version for layer in self.layers if layer.file.scheme == scheme)

    def sample_entries(self) -> tuple[str, ...]:
        """Where sample data sits in this book ("file:parameter[i]"); empty for real data."""
        return tuple(
            f"{layer.origin}:{name}[{index}]"
            for layer in self.layers
            for name, entries in layer.file.parameters()
            for index, entry in enumerate(entries)
            if entry.status_in(layer.file.status) is Status.SAMPLE
        )

    def covered(self, scheme: str) -> tuple[tuple[date, date], ...]:
        """Coverage periods of every layer of ``scheme`` (for messages and docs)."""
        return tuple(
            (layer.file.coverage.valid_from, layer.file.coverage.valid_to)
            for layer in self.layers
            if layer.file.scheme == scheme and layer.file.coverage is not None
        )

    # --- resolution ---------------------------------------------------------------------------

    def _check_covered(self, scheme: str, day: date, path: str, shown: str) -> None:
        for start, end in self.covered(scheme):
            if start <= day <= end:
                return
        spans = ", ".join(
            f"{schoolyear.school_year_of(s)}..{schoolyear.school_year_of(e)}"
            for s, e in self.covered(scheme)
        )
        raise BrugValidationError(
            [
                Violation(
                    path,
                    UNKNOWN_SCHOOL_YEAR,
                    f"no {scheme.upper()} rule data covers this "
                    f"{'school year' if scheme != 'vok' else 'date'} "
                    f"(covered: {spans or 'nothing'})",
                    shown,
                )
            ],
            context="rule data",
        )

    def _resolve(
        self, scheme: str, name: str, day: date, trail: _Trail, *, required: bool = True
    ) -> Any:
        best: tuple[tuple[date, int, bool, int], Entry[Any], RuleFile] | None = None
        for layer_index, layer in enumerate(self.layers):
            if layer.file.scheme != scheme:
                continue
            entries: tuple[Entry[Any], ...] = getattr(layer.file, name)
            for entry_index, entry in enumerate(entries):
                if not entry.covers(day):
                    continue
                unconfirmed = entry.status_in(layer.file.status) is Status.UNCONFIRMED
                if unconfirmed and not self.include_unconfirmed:
                    continue
                key = (entry.valid_from, layer_index, unconfirmed, entry_index)
                if best is None or key > best[0]:
                    best = (key, entry, layer.file)
        if best is None:
            if required:
                raise BrugValidationError(
                    [
                        Violation(
                            f"{scheme}.{name}",
                            "rules.missing-value",
                            f"no {'confirmed ' if not self.include_unconfirmed else ''}value "
                            f"for {name} on {day.isoformat()}",
                        )
                    ],
                    context="rule data",
                )
            return None
        _key, entry, file = best
        trail.versions.setdefault(file.version, None)
        status = entry.status_in(file.status)
        trail.sources[name] = entry.source
        if status is Status.UNCONFIRMED:
            trail.unconfirmed.append(name)
        if status is not Status.CONFIRMED:
            trail.provisional.append(provisional_reason(f"{scheme}.{name}", status, entry))
        return entry.value

    def figure(self, scheme: str, name: str, day: date) -> tuple[Any, tuple[str, ...]]:
        """One parameter on one date and why it is provisional (empty: confirmed); for
        callers and tests that need a single figure, not a school year's view."""
        trail = _Trail()
        value = self._resolve(scheme, name, day, trail)
        return value, tuple(trail.provisional)

    def vov(self, school_year: str, *, path: str = "school_year") -> VovRules:
        """VOV figures for ``school_year``; BrugValidationError when no data covers it."""
        cached = self._vov.get(school_year)
        if cached is not None:
            return cached
        day = schoolyear.bounds(schoolyear.check(school_year, path=path))[0]
        self._check_covered("vov", day, path, school_year)
        t = _Trail()

        def get(name: str, *, required: bool = True) -> Any:
            return self._resolve("vov", name, day, t, required=required)

        rules = VovRules(
            school_year=school_year,
            cap_hours=get("cap_hours"),
            joint_initiative_extra_hours=get("joint_initiative_extra_hours", required=False),
            max_hours=get("max_hours"),
            flat_rate_eur=get("flat_rate_eur"),
            wage_cap_month_eur=get("wage_cap_month_eur", required=False),
            min_fraction=get("min_fraction"),
            min_weekly_hours=get("min_weekly_hours", required=False),
            fraction_reference=get("fraction_reference", required=False),
            course_minimum=get("course_minimum"),
            attendance_minimum=get("attendance_minimum", required=False),
            refund_window=get("refund_window"),
            version=t.version(),
            unconfirmed=tuple(t.unconfirmed),
            provisional=tuple(t.provisional),
            sources=t.sources,
        )
        self._vov[school_year] = rules
        return rules

    def bev(self, school_year: str, *, path: str = "school_year") -> BevRules:
        """BEV figures for ``school_year``; BrugValidationError when no data covers it."""
        cached = self._bev.get(school_year)
        if cached is not None:
            return cached
        day = schoolyear.bounds(schoolyear.check(school_year, path=path))[0]
        self._check_covered("bev", day, path, school_year)
        t = _Trail()

        def get(name: str) -> Any:
            return self._resolve("bev", name, day, t)

        rules = BevRules(
            school_year=school_year,
            min_fraction=get("min_fraction"),
            fraction_reference=get("fraction_reference"),
            min_contact_hours=get("min_contact_hours"),
            flat_rate_eur=get("flat_rate_eur"),
            refund_window=get("refund_window"),
            caps=get("caps"),
            version=t.version(),
            unconfirmed=tuple(t.unconfirmed),
            provisional=tuple(t.provisional),
            sources=t.sources,
        )
        self._bev[school_year] = rules
        return rules

    def vok(self, on_date: date, *, path: str = "period.begin") -> VokRules:
        """VOK figures in force on ``on_date``; BrugValidationError when no data covers it."""
        cached = self._vok.get(on_date)
        if cached is not None:
            return cached
        self._check_covered("vok", on_date, path, on_date.isoformat())
        t = _Trail()

        def get(name: str, *, required: bool = True) -> Any:
            return self._resolve("vok", name, on_date, t, required=required)

        rules = VokRules(
            on_date=on_date,
            premium_eur=get("premium_eur"),
            premium_tiers=get("premium_tiers", required=False),
            single_supplement_eur=get("single_supplement_eur"),
            allowed_reductions=get("allowed_reductions"),
            volume=get("volume"),
            retroactive_months=get("retroactive_months"),
            min_contract_months=get("min_contract_months"),
            education_levels=get("education_levels"),
            version=t.version(),
            unconfirmed=tuple(t.unconfirmed),
            provisional=tuple(t.provisional),
            sources=t.sources,
        )
        self._vok[on_date] = rules
        return rules


def provisional_reason(what: str, status: Status, entry: Entry[Any]) -> str:
    """Why a figure makes a decision provisional, in words a caseworker can check."""
    valid = f"{entry.valid_from}..{entry.valid_to or 'open'}"
    if status is Status.ASSUMED:
        return f"{what} ({valid}) is assumed: {entry.assumption}"
    if status is Status.SAMPLE:
        return f"{what} ({valid}) is sample data, not a real figure ({entry.source})"
    return f"{what} ({valid}) is an unconfirmed change, applied on request ({entry.source})"


@dataclass(slots=True)
class _Trail:
    """Which file versions and which unconfirmed parameters a resolution used."""

    versions: dict[str, None] = field(default_factory=dict)
    unconfirmed: list[str] = field(default_factory=list)
    provisional: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def version(self) -> str:
        return "+".join(self.versions)


_default: RuleBook | None = None


def default_rulebook() -> RuleBook:
    """The rule book from the shipped data and the environment, loaded once per process."""
    global _default
    if _default is None:
        _default = RuleBook.load()
    return _default
