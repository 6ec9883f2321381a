"""VOV registration + ODB course → Brussels BEV record, and BEV record → VOV registration.

A record belongs to one scheme at a time, chosen by the region of the worker's establishment
unit: these mappings *route and recompute*, they never convert Flemish figures into Brussels
ones. Fraction eligibility, the hour cap, the flat rate and the refund window come from the
target region's rule data for the school year the course starts in; hours already used this
school year travel with the worker. Everything that is not one-to-one (see domain.md) is
reported in the :class:`MappingReport`, and all input problems are raised together in one
:class:`BrugValidationError` so a partner fixes a record in one round trip.

Both functions are pure: the rule book and the crosswalk are passed in, no I/O happens here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from weakref import WeakKeyDictionary

from pydantic import ValidationError

from adapters.brussels.crosswalk import Crosswalk, CrosswalkEntry
from gateway.errors import BrugValidationError, Violation
from gateway.mapping.construct import construct_complete
from gateway.mapping.report import Finding, FindingKind, MappingReport, MappingResult, ReportBuilder
from gateway.models.bev import BevCourseType, BevRecord, RaisedCapReason, RecognitionStatus
from gateway.models.common import Region
from gateway.models.odb import CourseStatus, CourseType, OdbCourse
from gateway.models.parties import EducationLevel, Employment, EstablishmentUnit
from gateway.models.vov import PriorUse, VovRegistration
from gateway.rules import schoolyear
from gateway.rules.bev import BevCap, bev_cap, bev_eligible, claimable_hours
from gateway.rules.quantities import ZERO, hours
from gateway.rules.ruledata import BevRules, RuleBook, VovRules
from gateway.rules.vov import vov_eligible
from gateway.rules.windows import refund_window
from gateway.validation import violations_from_pydantic

ROUTE_NOT_BRUSSELS = "route.not-brussels"
ROUTE_NOT_FLANDERS = "route.not-flanders"
UNKNOWN_COURSE = "crosswalk.unknown-course"

_RECORD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_MAX_HOURS = Decimal("9999.99")  # max_digits=6, decimal_places=2 on the canonical models

#: The BEV course type an ODB type suggests (the crosswalk decides; a mismatch is flagged).
_SUGGESTED_TYPE: dict[CourseType, BevCourseType] = {
    CourseType.PROFESSIONAL: BevCourseType.PROFESSIONAL,
    CourseType.GENERAL: BevCourseType.GENERAL_UNION,
    CourseType.UNION: BevCourseType.GENERAL_UNION,
    CourseType.UNIVERSITY: BevCourseType.UNIVERSITY,
    CourseType.PROFESSIONAL_BACHELOR: BevCourseType.PROFESSIONAL_BACHELOR,
    CourseType.LANGUAGE: BevCourseType.LANGUAGE,
    CourseType.BASIC_EDUCATION: BevCourseType.PROFESSIONAL,
    CourseType.SECONDARY_DIPLOMA: BevCourseType.PROFESSIONAL,
}

#: Source fields copied verbatim into the BEV record (registration and course side).
_COPIED_TO_BEV = (
    "registration.registration_id",
    "registration.worker",
    "registration.employer",
    "registration.establishment_unit",
    "registration.odb_number",
    "registration.provider_kbo",
    "registration.contact_hours",
    "registration.start_date",
    "registration.end_date",
    "registration.exam_dates",
)
_COPIED_TO_VOV = (
    "record.worker",
    "record.employer",
    "record.provider_kbo",
    "record.contact_hours",
    "record.start_date",
    "record.end_date",
    "record.exam_dates",
)


def derived_id(prefix: str, source_id: str) -> str:
    """A deterministic target id: ``prefix-source`` or, if too long, a hash of the source id."""
    candidate = f"{prefix}-{source_id}"
    if len(candidate) <= 64:
        return candidate
    return f"{prefix}-{hashlib.sha256(source_id.encode()).hexdigest()[:40]}"


def _course_matches(reg: VovRegistration, course: OdbCourse) -> bool:
    if reg.odb_number == course.odb_number:
        return True
    return any(m.odb_number == reg.odb_number for m in course.modules)


def _vov_rules_or_none(rules: RuleBook, school_year: str) -> VovRules | None:
    """The Flemish figures for comparison only: their absence must not block a BEV record."""
    try:
        return rules.vov(school_year)
    except BrugValidationError:
        return None


def vov_to_bev(
    reg: VovRegistration,
    course: OdbCourse,
    rules: RuleBook,
    crosswalk: Crosswalk,
    *,
    record_id: str | None = None,
    employment: Employment | None = None,
) -> MappingResult[BevRecord]:
    """Map a Flemish VOV registration for a Brussels establishment unit to a BEV record.

    ``employment`` is the Brussels reference fraction (September or the start month) when the
    caller has it; otherwise the registration's own fraction is used and, when read in another
    month, flagged. Raises BrugValidationError with every violation found (routing, course
    mismatch, unknown school year, course not in the crosswalk, bad record id).
    """
    violations: list[Violation] = []
    unit = reg.establishment_unit
    if unit.region is not Region.BRUSSELS:
        violations.append(
            Violation(
                "registration.establishment_unit.region",
                ROUTE_NOT_BRUSSELS,
                "only a Brussels establishment unit yields a BEV record; a record belongs "
                "to one scheme at a time (a Flemish registration is decided by brug vov check "
                "or POST /v1/vov/check)",
                unit.region.value,
            )
        )
    if not _course_matches(reg, course):
        violations.append(
            Violation(
                "course.odb_number",
                "mapping.course-mismatch",
                f"the course is not the registration's ODB number {reg.odb_number} "
                "nor has it as a module",
                course.odb_number,
            )
        )
    school_year = schoolyear.school_year_of(reg.start_date)
    bev_rules = None
    try:
        bev_rules = rules.bev(school_year, path="registration.start_date")
    except BrugValidationError as exc:
        violations.extend(exc.violations)
    entry = crosswalk.lookup(reg.odb_number)
    if entry is None:
        violations.append(
            Violation(
                "registration.odb_number",
                UNKNOWN_COURSE,
                "no BEE recognition reference for this ODB course (nor its course number)",
                reg.odb_number,
            )
        )
    if record_id is None:
        record_id = derived_id("bev", reg.registration_id)
    elif not _RECORD_ID.match(record_id):
        violations.append(
            Violation(
                "record_id",
                "type.string_pattern_mismatch",
                "1-64 of A-Z a-z 0-9 . _ : -",
                record_id,
            )
        )
    used = sum((p.hours for p in reg.prior_use), ZERO)
    if used > _MAX_HOURS:
        violations.append(
            Violation(
                "registration.prior_use",
                "prior-use.out-of-range",
                f"hours already used add up to more than {_MAX_HOURS}",
                str(used),
            )
        )
    if violations or bev_rules is None or entry is None:
        raise BrugValidationError(violations, context="VOV registration → BEV record")

    ctx = _year_context(rules, school_year, bev_rules)
    findings: list[Finding] = []
    append = findings.append
    copied = list(_COPIED_TO_BEV)

    # -- employment fraction: Brussels reads September or the start month ----------------------
    if employment is not None:
        used_employment = employment
        append(
            Finding(
                "registration.employment",
                _K.RECOMPUTED,
                f"replaced by the Brussels reference fraction ({employment.reference_month})",
                f"{reg.employment.fraction}@{reg.employment.reference_month}",
                f"{employment.fraction}@{employment.reference_month}",
            )
        )
    else:
        used_employment = reg.employment
        month = reg.employment.reference_month
        if month == ctx.september or month == schoolyear.month_of(reg.start_date):
            copied.append("registration.employment")
        else:
            append(
                Finding(
                    "registration.employment",
                    _K.FLAGGED,
                    f"fraction read in {month}; BEV reads {ctx.september} or the start month "
                    f"{schoolyear.month_of(reg.start_date)}: confirm it with the employer",
                    month,
                )
            )
    fraction = used_employment.fraction
    cap, cap_findings = ctx.cap(
        entry.course_type, entry.raised_cap_reason, reg.worker.education_level, fraction
    )
    findings.extend(cap_findings)

    # -- course identity, type, title, recognition -------------------------------------------
    append(
        Finding(
            "record.recognition_reference",
            _K.RECOMPUTED,
            f"from the crosswalk ({entry.origin})",
            reg.odb_number,
            entry.recognition_reference,
        )
    )
    _course_findings(append, copied, reg, course, entry)
    if entry.title_fr is not None:
        title, language = entry.title_fr, "fr"
        append(Finding("course.title_nl", _K.RECOMPUTED, _MSG_TITLE_FR, course.title_nl, title))
    else:
        title, language = course.title_nl, "nl"
        append(Finding("course.title_nl", _K.FLAGGED, _MSG_TITLE_NL, course.title_nl, title))
    quality = course.provider.wse_quality_registration
    if entry.provider_recognised:
        recognition = RecognitionStatus.RECOGNISED
        append(Finding("course.provider", _K.RECOMPUTED, _MSG_RECOGNISED, quality, "recognised"))
    else:
        recognition = RecognitionStatus.TO_CONFIRM
        append(Finding("course.provider", _K.FLAGGED, _MSG_TO_CONFIRM, quality, "to-confirm"))

    # -- hours already used this school year (any region) reduce what can be claimed ----------
    if reg.prior_use:
        append(
            Finding(
                "registration.prior_use",
                _K.CARRIED,
                "hours already used this school year ("
                + ", ".join(f"{p.region} {p.hours}" for p in reg.prior_use)
                + ") reduce the Brussels cap",
                str(used),
                str(used),
            )
        )
    if reg.contact_hours >= bev_rules.min_contact_hours:
        claimable = claimable_hours(reg.contact_hours, cap.hours, used)
    else:
        claimable = ZERO
        append(
            Finding(
                "record.hours_claimable",
                _K.FLAGGED,
                f"{reg.contact_hours} contact hours: below the BEV minimum "
                f"{bev_rules.min_contact_hours}",
                str(reg.contact_hours),
                "0.00",
            )
        )
    if reg.end_date > ctx.last_day:
        claimable = _split_share(rules, reg, entry, fraction, cap, used, claimable, append)
    if used and cap.hours and used >= cap.hours:
        append(
            Finding(
                "record.hours_claimable",
                _K.FLAGGED,
                f"the {used} h already used exhaust the {cap.hours} h cap",
                str(used),
                str(claimable),
            )
        )

    # -- money and deadlines: the target region's, for the course's school year ----------------
    window, window_finding = ctx.window(reg.start_date)
    append(ctx.flat_rate_finding)
    append(window_finding)
    if reg.study_points is not None:
        append(
            Finding("registration.study_points", _K.NOT_APPLICABLE, _MSG_SP, str(reg.study_points))
        )
    if reg.joint_initiative:
        append(_JOINT_INITIATIVE)
    if reg.attest_date is not None:
        append(
            Finding(
                "registration.attest_date", _K.DROPPED, _MSG_ATTEST, reg.attest_date.isoformat()
            )
        )

    # Every constraint of BevRecord was checked above or holds by construction (validated
    # inputs, quantized hours, claimable ≤ cap, windows in order); construct_complete skips a
    # second validation on the hot path. tests/mapping proves model_validate agrees.
    record = construct_complete(
        BevRecord,
        {
            "record_id": record_id,
            "school_year": school_year,
            "worker": reg.worker,
            "employer": reg.employer,
            "establishment_unit": unit,
            "employment": used_employment,
            "recognition_reference": entry.recognition_reference,
            "odb_number": reg.odb_number,
            "course_title": title,
            "course_title_language": language,
            "course_type": entry.course_type,
            "raised_cap_reason": cap.reason,
            "provider_kbo": reg.provider_kbo,
            "provider_recognition": recognition,
            "contact_hours": reg.contact_hours,
            "start_date": reg.start_date,
            "end_date": reg.end_date,
            "exam_dates": reg.exam_dates,
            "hours_cap": cap.hours,
            "hours_already_used": hours(used),
            "hours_claimable": claimable,
            "flat_rate_eur": bev_rules.flat_rate_eur,
            "refund_window_start": window[0],
            "refund_window_end": window[1],
            "source_region": Region.FLANDERS,
            "source_registration_id": reg.registration_id,
        },
    )
    provisional = ctx.bev.provisional
    row_reason = entry.provisional_reason(reg.start_date)
    if row_reason is not None:
        provisional = (*provisional, row_reason)
    if reg.prior_use:
        provisional = (*provisional, _MSG_PRIOR_USE_COURSE)
    report = MappingReport(
        "vov-registration+odb-course",
        "bev-record",
        ctx.version,
        tuple(copied),
        tuple(findings),
        provisional,
    )
    return MappingResult(record, report)


# --- findings that do not depend on the record: built once -----------------------------------

_K = FindingKind
_MSG_TITLE_FR = "French title from the crosswalk"
_MSG_TITLE_NL = "the course has a Dutch title only; BEE may need a French one"
_MSG_RECOGNISED = "provider recognised by BEE / the Community according to the crosswalk"
_MSG_TO_CONFIRM = "only a WSE quality registration is known; BEE / Community approval to confirm"
_MSG_SP = "BEV counts contact hours only"
_MSG_ATTEST = "BEV has no attest date; the enrolment attest stays with WSE"
_MSG_VOLUME = "BEV counts the registration's contact hours, not the ODB volume"
_JOINT_INITIATIVE = Finding(
    "registration.joint_initiative",
    _K.NOT_APPLICABLE,
    "Brussels has no joint-initiative right: the extra 125 h do not carry",
    "True",
)
_INCENTIVES = Finding(
    "course.incentives", _K.NOT_APPLICABLE, "Flemish incentive flags (VOV, cheques, VOK)"
)
_OUTCOMES = Finding(
    "course.outcomes", _K.NOT_APPLICABLE, "ODB outcome classification; BEE has its own"
)
_FIRST_DIPLOMA = Finding(
    "course.first_diploma_only",
    _K.FLAGGED,
    "ODB restricts this course to a first diploma of its level; BEV does not check it",
    "True",
)
_QUALIFYING = Finding("course.qualifying", _K.NOT_APPLICABLE, "Flemish qualification flag", "True")
_ENTREPRENEURSHIP = Finding(
    "course.entrepreneurship", _K.NOT_APPLICABLE, "Flemish VOK flag", "True"
)
_BOTTLENECK_CONFIRMED = Finding(
    "course.bottleneck_occupation",
    _K.CARRIED,
    "Brussels (Actiris) bottleneck list confirms it",
    "True",
)
_BOTTLENECK_FLEMISH_ONLY = Finding(
    "course.bottleneck_occupation",
    _K.FLAGGED,
    "Flemish bottleneck occupation (VDAB list) does not raise the Brussels cap",
    "True",
)
_STOPPED = Finding("course.status", _K.FLAGGED, "the ODB course is stopped", "stopped")


def _course_findings(
    append: Callable[[Finding], None],
    copied: list[str],
    reg: VovRegistration,
    course: OdbCourse,
    entry: CrosswalkEntry,
) -> None:
    """Account for every ODB course field: what BEV uses, and what stays Flemish."""
    if course.odb_number == reg.odb_number:
        copied.append("course.odb_number")
    else:
        append(
            Finding(
                "course.odb_number",
                _K.CARRIED,
                "the registration names a module of this course; the module number is kept",
                course.odb_number,
                reg.odb_number,
            )
        )
    suggested = _SUGGESTED_TYPE[course.course_type]
    append(
        Finding(
            "course.course_type",
            _K.RECOMPUTED if suggested is entry.course_type else _K.FLAGGED,
            f"BEV course type from the crosswalk (ODB type suggests {suggested})",
            str(course.course_type),
            str(entry.course_type),
        )
    )
    volume = course.volume
    append(
        Finding("course.volume", _K.NOT_APPLICABLE, _MSG_VOLUME, f"{volume.amount} {volume.unit}")
    )
    if course.modules:
        append(
            Finding(
                "course.modules",
                _K.NOT_APPLICABLE,
                "modules stay in the ODB",
                str(len(course.modules)),
            )
        )
    append(_INCENTIVES)
    append(_OUTCOMES)
    if course.first_diploma_only:
        append(_FIRST_DIPLOMA)
    if course.qualifying:
        append(_QUALIFYING)
    if course.entrepreneurship:
        append(_ENTREPRENEURSHIP)
    if course.bottleneck_occupation:
        if entry.raised_cap_reason is RaisedCapReason.BOTTLENECK_OCCUPATION:
            append(_BOTTLENECK_CONFIRMED)
        else:
            append(_BOTTLENECK_FLEMISH_ONLY)
    if course.status is CourseStatus.STOPPED:
        append(_STOPPED)
    ends = course.valid_until
    start = reg.start_date
    inside = course.valid_from <= start and (ends is None or start <= ends)
    append(
        Finding(
            "course.valid_from",
            _K.NOT_APPLICABLE if inside else _K.FLAGGED,
            "course start within the ODB validity"
            if inside
            else "course starts outside its ODB validity",
            course.valid_from.isoformat(),
        )
    )
    if ends is not None:
        append(
            Finding("course.valid_until", _K.NOT_APPLICABLE, "ODB validity end", ends.isoformat())
        )


# --- per school year: rule lookups and the findings they imply, memoised per rule book -------

_CapKey = tuple[BevCourseType, RaisedCapReason | None, EducationLevel | None, Decimal]
_MEMO_LIMIT = 4096


@dataclass(slots=True)
class _YearContext:
    """Everything about one school year that does not depend on the record, computed once.

    A rule book is immutable, so caps, windows and their findings for a given key never
    change; memoising them keeps the mapping at tens of thousands of records a second.
    """

    bev: BevRules
    vov: VovRules | None
    version: str
    september: str
    last_day: date
    flat_rate_finding: Finding
    caps: dict[_CapKey, tuple[BevCap, tuple[Finding, ...]]] = field(default_factory=dict)
    windows: dict[date, tuple[tuple[date, date], Finding]] = field(default_factory=dict)

    def cap(
        self,
        course_type: BevCourseType,
        reason: RaisedCapReason | None,
        level: EducationLevel | None,
        fraction: Decimal,
    ) -> tuple[BevCap, tuple[Finding, ...]]:
        key = (course_type, reason, level, fraction)
        found = self.caps.get(key)
        if found is None:
            if len(self.caps) >= _MEMO_LIMIT:
                self.caps.clear()
            found = self.caps[key] = _cap_with_findings(self, *key)
        return found

    def window(self, start: date) -> tuple[tuple[date, date], Finding]:
        found = self.windows.get(start)
        if found is None:
            if len(self.windows) >= _MEMO_LIMIT:
                self.windows.clear()
            span = refund_window(self.bev.refund_window, start_date=start)
            found = self.windows[start] = (
                span,
                Finding(
                    "record.refund_window",
                    _K.RECOMPUTED,
                    "BEV window: 1 September to 31 December after the school year (MonBEE)"
                    if self.bev.refund_window.anchor == "after-school-year"
                    else "BEV window relative to the course start",
                    None,
                    f"{span[0].isoformat()}..{span[1].isoformat()}",
                ),
            )
        return found


def _cap_with_findings(
    ctx: _YearContext,
    course_type: BevCourseType,
    reason: RaisedCapReason | None,
    level: EducationLevel | None,
    fraction: Decimal,
) -> tuple[BevCap, tuple[Finding, ...]]:
    """The cap and what to say about it: one-region eligibility, ignored reason, the figure."""
    bev_rules, vov_rules = ctx.bev, ctx.vov
    out: list[Finding] = []
    in_brussels = bev_eligible(bev_rules, fraction)
    if vov_rules is not None and in_brussels != vov_eligible(vov_rules, fraction):
        where = "Brussels" if in_brussels else "Flanders"
        out.append(
            Finding(
                "record.employment",
                _K.FLAGGED,
                f"fraction {fraction} qualifies in {where} only (BEV minimum "
                f"{bev_rules.min_fraction}, VOV minimum {vov_rules.min_fraction})",
                str(fraction),
            )
        )
    cap = bev_cap(bev_rules, course_type, reason, level, fraction)
    if not in_brussels:
        out.append(
            Finding(
                "record.hours_cap",
                _K.FLAGGED,
                f"fraction {fraction} below the BEV minimum {bev_rules.min_fraction}: no hours",
                str(fraction),
                "0.00",
            )
        )
    if cap.ignored_reason is not None:
        out.append(
            Finding(
                "record.raised_cap_reason",
                _K.FLAGGED,
                f"the crosswalk's raised-cap reason has no cap for {course_type} courses",
                str(cap.ignored_reason),
            )
        )
    out.append(
        Finding(
            "record.hours_cap",
            _K.RECOMPUTED,
            f"BEV {course_type} cap {cap.full_time_hours} h"
            f"{f' ({cap.reason})' if cap.reason else ''} × fraction {fraction}",
            None,
            str(cap.hours),
        )
    )
    return cap, tuple(out)


_contexts: WeakKeyDictionary[RuleBook, dict[str, _YearContext]] = WeakKeyDictionary()


_MSG_PRIOR_USE_COURSE = (
    "hours already used are subtracted as given: the record does not say whether they were "
    "spent on this same course, so a mover's hours may count twice"
)


def _split_share(
    rules: RuleBook,
    reg: VovRegistration,
    entry: CrosswalkEntry,
    fraction: Decimal,
    cap: BevCap,
    used: Decimal,
    claimable: Decimal,
    append: Callable[[Finding], None],
) -> Decimal:
    """A course running into a later school year: this record claims its start year's share.

    The hours are split by the course's days in each school year (schoolyear.split_hours);
    each year's cap and refund window apply to its own share, so the record (whose school year
    is the start year) claims at most the first share, and the report says what the later
    shares are, with their caps and windows, or that they need review (no rule data for that
    year, or a course over more than two school years). Never silently assigned.
    """
    shares = schoolyear.split_hours(reg.start_date, reg.end_date, reg.contact_hours)
    first = shares[0]
    if claimable > 0:
        claimable = claimable_hours(first.hours, cap.hours, used)
    later: list[str] = []
    for share in shares[1:]:
        try:
            year_rules = rules.bev(share.school_year)
        except BrugValidationError:
            later.append(
                f"{share.hours} h in {share.school_year} ({share.first}..{share.last}): no BEV "
                "rule data for that year, review"
            )
            continue
        year = _year_context(rules, share.school_year, year_rules)
        year_cap, _ = year.cap(
            entry.course_type, entry.raised_cap_reason, reg.worker.education_level, fraction
        )
        window, _ = year.window(share.first)
        later.append(
            f"{share.hours} h in {share.school_year} ({share.first}..{share.last}): its own "
            f"cap {year_cap.hours} h, refund window {window[0]}..{window[1]}"
        )
    review = " More than two school years: review." if len(shares) > 2 else ""
    append(
        Finding(
            "record.hours_claimable",
            _K.FLAGGED,
            f"the course runs {reg.start_date}..{reg.end_date}, across school years; hours split "
            f"by days: {first.hours} h in {first.school_year} (this record, claimable "
            f"{claimable} h), then " + "; ".join(later) + ". A BEV record per later school "
            "year is needed." + review,
            str(reg.contact_hours),
            str(claimable),
        )
    )
    return claimable


def _year_context(rules: RuleBook, school_year: str, bev_rules: BevRules) -> _YearContext:
    per_book = _contexts.get(rules)
    if per_book is None:
        per_book = _contexts[rules] = {}
    ctx = per_book.get(school_year)
    if ctx is None:
        vov_rules = _vov_rules_or_none(rules, school_year)
        version = (
            bev_rules.version if vov_rules is None else f"{bev_rules.version}+{vov_rules.version}"
        )
        ctx = per_book[school_year] = _YearContext(
            bev=bev_rules,
            vov=vov_rules,
            version=version,
            september=schoolyear.september_of(school_year),
            last_day=schoolyear.bounds(school_year)[1],
            flat_rate_finding=Finding(
                "record.flat_rate_eur",
                _K.RECOMPUTED,
                f"BEV flat rate for {school_year}",
                None if vov_rules is None else str(vov_rules.flat_rate_eur),
                str(bev_rules.flat_rate_eur),
            ),
        )
    return ctx


def bev_to_vov(
    record: BevRecord,
    crosswalk: Crosswalk,
    rules: RuleBook,
    *,
    establishment_unit: EstablishmentUnit | None = None,
    employment: Employment | None = None,
    registration_id: str | None = None,
) -> MappingResult[VovRegistration]:
    """Map a Brussels BEV record to a canonical VOV registration for a worker moving to Flanders.

    The Brussels hours become ``prior_use`` (region brussels); the Flemish fraction and cap
    are not copied: VOV reads the fraction of March before the school year, so the caller
    passes it (``employment``) or the Brussels one is kept as a flagged placeholder. Without
    the new Flemish ``establishment_unit`` the Brussels unit is kept and flagged: the record
    cannot be routed to VOV until it is supplied.
    """
    violations: list[Violation] = []
    if establishment_unit is not None and establishment_unit.region is not Region.FLANDERS:
        violations.append(
            Violation(
                "establishment_unit.region",
                ROUTE_NOT_FLANDERS,
                "only a Flemish establishment unit yields a VOV registration",
                establishment_unit.region.value,
            )
        )
    school_year = schoolyear.school_year_of(record.start_date)
    vov_rules = None
    try:
        vov_rules = rules.vov(school_year, path="record.start_date")
    except BrugValidationError as exc:
        violations.extend(exc.violations)
    candidates = crosswalk.by_reference(record.recognition_reference)
    if not candidates:
        violations.append(
            Violation(
                "record.recognition_reference",
                UNKNOWN_COURSE,
                "no ODB course for this BEE recognition reference",
                record.recognition_reference,
            )
        )
    if registration_id is None:
        registration_id = derived_id("vov", record.record_id)
    elif not _RECORD_ID.match(registration_id):
        violations.append(
            Violation(
                "registration_id",
                "type.string_pattern_mismatch",
                "1-64 of A-Z a-z 0-9 . _ : -",
                registration_id,
            )
        )
    if violations or vov_rules is None:
        raise BrugValidationError(violations, context="BEV record → VOV registration")

    report = ReportBuilder("bev-record", "vov-registration")
    report.copy(*_COPIED_TO_VOV)
    add = report.add
    add(
        "record.record_id",
        FindingKind.CARRIED,
        "VOV registration id derived from it",
        record.record_id,
        registration_id,
    )

    # course identity: reverse crosswalk, cross-checked with the carried ODB number
    numbers = tuple(c.odb_number for c in candidates)
    if record.odb_number is not None and record.odb_number in numbers:
        odb_number = record.odb_number
        report.copy("record.odb_number")
        add(
            "record.recognition_reference",
            FindingKind.RECOMPUTED,
            "confirmed by the crosswalk",
            record.recognition_reference,
            odb_number,
        )
    else:
        odb_number = numbers[0]
        add(
            "record.recognition_reference",
            FindingKind.RECOMPUTED if len(numbers) == 1 else FindingKind.FLAGGED,
            "ODB number from the reverse crosswalk"
            + ("" if len(numbers) == 1 else f"; ambiguous ({', '.join(numbers)}): first taken"),
            record.recognition_reference,
            odb_number,
        )
        if record.odb_number is not None:
            add(
                "record.odb_number",
                FindingKind.FLAGGED,
                "the ODB number on the BEV record is not what the crosswalk gives",
                record.odb_number,
                odb_number,
            )

    # region: the new Flemish unit, or the Brussels one kept and flagged
    if establishment_unit is not None:
        unit = establishment_unit
        add(
            "record.establishment_unit",
            FindingKind.RECOMPUTED,
            "replaced by the Flemish establishment unit",
            record.establishment_unit.number,
            unit.number,
        )
    else:
        unit = record.establishment_unit
        add(
            "record.establishment_unit",
            FindingKind.FLAGGED,
            "no Flemish establishment unit given: the Brussels unit is kept and the "
            "registration cannot be routed to VOV until it is supplied",
            record.establishment_unit.number,
        )

    # fraction and cap: Flanders recomputes at its own reference month
    march = schoolyear.march_before(school_year)
    reference = (
        march
        if vov_rules.fraction_reference is not None
        and vov_rules.fraction_reference.value == "march-before"
        else f"{schoolyear.september_of(school_year)} or the start month"
    )
    if employment is not None:
        new_employment = employment
        add(
            "record.employment",
            FindingKind.RECOMPUTED,
            f"Flemish fraction of {employment.reference_month} (VOV reads {reference})",
            f"{record.employment.fraction}@{record.employment.reference_month}",
            f"{employment.fraction}@{employment.reference_month}",
        )
    else:
        new_employment = record.employment
        add(
            "record.employment",
            FindingKind.FLAGGED,
            f"Brussels fraction kept as a placeholder; VOV reads the fraction of {reference}: "
            "to be recomputed",
            f"{record.employment.fraction}@{record.employment.reference_month}",
        )
    add(
        "record.hours_cap",
        FindingKind.NOT_APPLICABLE,
        f"not copied: VOV recomputes {vov_rules.cap_hours} h × the fraction of {reference}",
        record.hours_cap,
    )

    # hours used in Brussels travel as prior use
    prior: list[PriorUse] = []
    if record.hours_claimable > 0:
        prior.append(PriorUse(region=Region.BRUSSELS, hours=record.hours_claimable))
    add(
        "record.hours_claimable",
        FindingKind.CARRIED,
        "BEV hours for this course become prior use (region brussels); BEE should confirm "
        "the hours actually taken",
        record.hours_claimable,
        record.hours_claimable,
    )
    if record.hours_already_used > 0:
        earlier_region = record.source_region or Region.BRUSSELS
        prior.append(PriorUse(region=earlier_region, hours=record.hours_already_used))
        add(
            "record.hours_already_used",
            FindingKind.CARRIED,
            f"hours used before this course carried as prior use (region {earlier_region})",
            record.hours_already_used,
            record.hours_already_used,
        )
    if schoolyear.school_year_of(record.start_date) != record.school_year:
        add(
            "record.school_year",
            FindingKind.FLAGGED,
            f"the course starts in {school_year}",
            record.school_year,
            school_year,
        )
    else:
        add(
            "record.school_year",
            FindingKind.NOT_APPLICABLE,
            "VOV derives it from the start date",
            record.school_year,
        )
    for name, value, why in (
        ("record.course_title", record.course_title, "the ODB holds the course title"),
        ("record.course_title_language", record.course_title_language, "ODB titles are Dutch"),
        ("record.course_type", record.course_type.value, "the ODB holds the course type"),
        (
            "record.raised_cap_reason",
            None if record.raised_cap_reason is None else record.raised_cap_reason.value,
            "Brussels-only cap rule",
        ),
        (
            "record.provider_recognition",
            record.provider_recognition.value,
            "Flanders checks the WSE quality registration via the ODB",
        ),
        (
            "record.flat_rate_eur",
            record.flat_rate_eur,
            f"VOV pays {vov_rules.flat_rate_eur} per hour in {school_year}",
        ),
        (
            "record.refund_window_start",
            record.refund_window_start.isoformat(),
            "VOV window: 3 months around the course start",
        ),
        (
            "record.refund_window_end",
            record.refund_window_end.isoformat(),
            "VOV window: 3 months around the course start",
        ),
        (
            "record.source_region",
            None if record.source_region is None else record.source_region.value,
            "the VOV registration is its own source",
        ),
        (
            "record.source_registration_id",
            record.source_registration_id,
            "kept in this report for traceability",
        ),
    ):
        add(name, FindingKind.NOT_APPLICABLE, why, value)
    add(
        "registration.joint_initiative",
        FindingKind.FLAGGED,
        "the joint initiative is an employer's choice in Flanders: not known from BEV, set false",
        None,
        False,
    )
    try:
        registration = VovRegistration(
            registration_id=registration_id,
            worker=record.worker,
            employer=record.employer,
            establishment_unit=unit,
            employment=new_employment,
            odb_number=odb_number,
            provider_kbo=record.provider_kbo,
            contact_hours=record.contact_hours,
            start_date=record.start_date,
            end_date=record.end_date,
            exam_dates=record.exam_dates,
            joint_initiative=False,
            prior_use=tuple(prior),
        )
    except ValidationError as exc:  # pragma: no cover - inputs are validated models
        raise BrugValidationError(
            violations_from_pydantic(exc), context="VOV registration"
        ) from None
    provisional = list(vov_rules.provisional)
    provisional.extend(
        reason
        for reason in (c.provisional_reason(record.start_date) for c in candidates)
        if reason is not None
    )
    return MappingResult(registration, report.build(vov_rules.version, tuple(provisional)))
