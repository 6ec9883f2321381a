"""VOK eligibility from federal career-break records: may the worker get the Flemish premium?

The SERV advice asks Flanders to grant the training credit (VOK) automatically, or contact the
worker proactively, from the time-credit data *with motive* it already receives. This module is
that decision as a pure, deterministic function: given the worker's career-break records
(MAGDA GeefLoopbaanonderbrekingen), the ODB course, the period and the rule data, it checks
every VOK rule and records each one as a :class:`RuleCheck` (passed or not, and why), so a
refusal is explainable and a "possibly entitled" worker can be contacted with facts.

The premium is monthly, so the decision is too: every calendar month of the period is decided
on its own (:class:`VokMonth`): is there RVA time credit with a training motive that month,
is its reduction allowed, is the course valid, is the month still payable, which figures are in
force. Rules about the course and the worker are decided once and refuse every month.

Facts the caller does not have (contract length, sector, region, application date, education
level) are recorded as passed with a message starting "not evaluated"; such a decision, and one
resting on figures or codes that are not confirmed, is ``provisional`` with its reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from adapters.federal.codes import CodeTable
from gateway.errors import BrugValidationError
from gateway.models.career_break import CareerBreakRecord, CareerBreakSource, Period
from gateway.models.common import Region
from gateway.models.odb import CourseStatus, OdbCourse
from gateway.models.parties import Employer, EstablishmentUnit, Sector, Worker
from gateway.models.vok import Reduction, RuleCheck, VokDecision, VokMonth
from gateway.rules.quantities import ZERO, euros
from gateway.rules.ruledata import RuleBook, VokRules
from gateway.rules.vok import (
    OPEN_END_MONTHS,
    MonthSpan,
    month_spans,
    period_end,
    premium,
    retroactive_limit,
    volume_check,
)

NOT_EVALUATED = "not evaluated"


def _sort_key(record: CareerBreakRecord) -> tuple[date, str, str]:
    return (record.period.begin, record.dossier_number or "", record.reduction.code)


def _overlaps(record: CareerBreakRecord, first: date, last: date) -> bool:
    end = record.period.end
    return record.period.begin <= last and (end is None or first <= end)


@dataclass(slots=True)
class _Month:
    """A month being decided: its span, the records and figures that apply, what refuses it."""

    span: MonthSpan
    rules: VokRules | None = None
    record: CareerBreakRecord | None = None
    reduction: Reduction | None = None
    pays: Reduction | None = None  # the premium_eur amount the month gets (tiers since 2021-09)
    failed: list[RuleCheck] = field(default_factory=list)

    def refuse(self, rule: str, message: str) -> None:
        self.failed.append(RuleCheck(rule=rule, passed=False, message=message))


def check_vok(
    records: Sequence[CareerBreakRecord],
    course: OdbCourse,
    worker: Worker,
    period: Period,
    rules: RuleBook,
    codes: CodeTable,
    *,
    contract_months: int | None = None,
    in_pop: bool = False,
    employer: Employer | None = None,
    establishment_unit: EstablishmentUnit | None = None,
    sector: Sector | None = None,
    region: Region | None = None,
    applied_on: date | None = None,
    worked_before: Decimal | None = None,
) -> VokDecision:
    """Check every VOK rule for ``worker`` taking ``course`` during ``period``, month by month.

    ``sector`` / ``region`` may be given directly, or through ``employer`` /
    ``establishment_unit``. ``worked_before`` is the work fraction in the year before the break:
    since 2021-09-01 it decides which amount a break gets (rule data ``premium_tiers``); without
    it the amount of the reduction is given and the decision says what it assumes. Raises
    BrugValidationError (rule ``rules.unknown-school-year``) when
    no VOK rule data covers any month of the period. The top-level premium fields repeat the
    first eligible month (the form before months existed); ``months`` has each month.
    """
    end = period_end(period)
    months = [_Month(span) for span in month_spans(period.begin, end)]
    coverage_error: BrugValidationError | None = None
    for month in months:
        try:
            month.rules = rules.vok(month.span.first)
        except BrugValidationError as exc:
            coverage_error = coverage_error or exc
            month.refuse("vok.rule-data", f"no VOK rule data for {month.span.month}")
    decided = [m for m in months if m.rules is not None]
    if not decided:
        assert coverage_error is not None
        raise coverage_error
    first_rules = decided[0].rules
    assert first_rules is not None
    checks: list[RuleCheck] = []
    reasons: list[str] = []

    def check(rule: str, passed: bool, message: str) -> None:
        checks.append(RuleCheck(rule=rule, passed=passed, message=message))

    def unknown(rule: str, what: str) -> None:
        # Not held against the worker (a proactive list must not drop them), but marked, so
        # that "eligible" with unchecked rules is never mistaken for a final decision.
        checks.append(
            RuleCheck(rule=rule, passed=True, evaluated=False, message=f"{NOT_EVALUATED}: {what}")
        )

    # -- the time credit: RVA-decided, time-credit category, training motive -------------------
    own = sorted((r for r in records if r.insz == worker.insz), key=_sort_key)
    ignored = len(records) - len(own)
    check(
        "vok.records-for-worker",
        bool(own),
        f"{len(own)} career-break record(s) for the worker"
        + (f"; {ignored} record(s) of another person ignored" if ignored else ""),
    )
    rva = [r for r in own if r.source is CareerBreakSource.RVA]
    check(
        "vok.source-rva",
        bool(rva),
        f"{len(rva)} record(s) decided by the RVA"
        if rva
        else "no record from the RVA (only the federal decision counts)",
    )
    credit = [r for r in rva if codes.is_time_credit(r.category.code)]
    check(
        "vok.time-credit",
        bool(credit),
        f"{len(credit)} time-credit record(s) (category per code table {codes.version})"
        if credit
        else f"no time-credit category among {sorted({r.category.code for r in rva})} "
        f"(code table {codes.version})",
    )
    training = [
        r for r in credit if codes.is_training_reason(None if r.reason is None else r.reason.code)
    ]
    check(
        "vok.training-motive",
        bool(training),
        f"training motive code {training[0].reason.code if training[0].reason else '?'}"
        if training
        else "no time credit with a training motive "
        f"(code table {codes.version}, {codes.status.value})",
    )

    # -- per month: the credit that month, its reduction, the course, payability -------------
    limit = None
    for month in decided:
        span, month_rules = month.span, month.rules
        assert month_rules is not None
        if not codes.covers(span.first):
            month.refuse(
                "vok.code-table",
                f"code table {codes.version} is valid {codes.valid_from}.."
                f"{codes.valid_to or 'open'}, not in {span.month}",
            )
        found = [r for r in training if _overlaps(r, span.first, span.last)]
        if not found:
            month.refuse(
                "vok.covers-month",
                f"no RVA time credit with a training motive in {span.month}",
            )
        else:
            first = max(span.first, min(r.period.begin for r in found))
            ends = [r.period.end for r in found]
            last = span.last if None in ends else min(span.last, max(e for e in ends if e))
            month.span = replace(span, first=first, last=last)
            month.record = found[0]
            month.reduction = codes.reduction_of(found[0].reduction.code)
            if month.reduction is None:
                month.refuse(
                    "vok.reduction",
                    f"reduction code {found[0].reduction.code} is not full, half or one-fifth",
                )
            elif month.reduction not in month_rules.allowed_reductions:
                month.refuse(
                    "vok.reduction",
                    f"{month.reduction} interruption not allowed in {span.month} "
                    "(one-fifth since 2019-20)",
                )
            else:
                month.pays = _tier(month, month_rules, worked_before)
        if not (
            course.valid_from <= span.last
            and (course.valid_until is None or span.first <= course.valid_until)
        ):
            month.refuse("vok.course-active", f"the ODB course is not valid in {span.month}")
        if applied_on is not None:
            limit = retroactive_limit(month_rules, applied_on)
            if span.last < limit:
                month.refuse(
                    "vok.retroactive-limit",
                    f"{span.month} is more than {month_rules.retroactive_months} months before "
                    f"the application of {applied_on}",
                )

    def months_passing(rule: str) -> int:
        return sum(1 for m in decided if all(f.rule != rule for f in m.failed))

    covered = [m for m in decided if m.record is not None]
    check(
        "vok.covers-period",
        bool(covered),
        f"training time credit in {len(covered)} of {len(months)} month(s) of "
        f"{period.begin}..{period.end or 'open'}",
    )
    allowed = [m for m in covered if all(f.rule != "vok.reduction" for f in m.failed)]
    first_reduction = covered[0].reduction if covered else None
    check(
        "vok.reduction",
        bool(allowed),
        f"{allowed[0].reduction} interruption"
        + ("" if len(allowed) == len(covered) else f" ({len(allowed)} month(s) allowed)")
        if allowed
        else (
            "no covering time credit to take the reduction from"
            if not covered
            else f"{first_reduction or 'unknown'} interruption not allowed "
            f"(see the months; one-fifth since 2019-20)"
        ),
    )

    # -- the course ---------------------------------------------------------------------------
    check(
        "vok.course-incentive",
        course.incentives.vok,
        "the ODB course counts for VOK"
        if course.incentives.vok
        else "the ODB course is not VOK-eligible",
    )
    check(
        "vok.course-vov-eligible",
        course.incentives.vov,
        "the ODB course is VOV-eligible"
        if course.incentives.vov
        else "VOK needs a VOV-eligible course (domain.md); the ODB course is not",
    )
    kinds = [
        name
        for name, flag in (
            ("qualifying", course.qualifying),
            ("bottleneck occupation", course.bottleneck_occupation),
            ("entrepreneurship", course.entrepreneurship),
        )
        if flag
    ]
    check(
        "vok.course-kind",
        bool(kinds),
        ", ".join(kinds)
        if kinds
        else "neither qualifying, nor for a bottleneck occupation, nor entrepreneurship",
    )
    active = course.status is CourseStatus.ACTIVE
    valid_months = months_passing("vok.course-active")
    check(
        "vok.course-active",
        active and valid_months > 0,
        "active and valid in the period"
        if active and valid_months > 0
        else ("the course is stopped" if not active else "the course is not valid in the period"),
    )
    volume = volume_check(first_rules, course, period)
    check("vok.course-volume", volume.passed, volume.message)

    # -- the worker and the job -------------------------------------------------------------
    level = worker.education_level
    if in_pop:
        check("vok.education-level", True, "course in a personal development plan (POP): any level")
    elif level is None:
        unknown("vok.education-level", "education level unknown")
    else:
        check(
            "vok.education-level",
            level in first_rules.education_levels,
            f"education level {level}"
            + (
                ""
                if level in first_rules.education_levels
                else " (only low or medium, unless in a POP)"
            ),
        )
    if contract_months is None:
        unknown("vok.contract", "contract length unknown")
    else:
        check(
            "vok.contract",
            contract_months >= first_rules.min_contract_months,
            f"{contract_months} months of continuous contract "
            f"(minimum {first_rules.min_contract_months})",
        )
    if sector is None and employer is not None:
        sector = employer.sector
    if sector is None:
        unknown("vok.private-sector", "employer sector unknown")
    else:
        check(
            "vok.private-sector",
            sector is Sector.PRIVATE,
            f"{sector} sector"
            + ("" if sector is Sector.PRIVATE else ": VOK is private sector only"),
        )
    if region is None and establishment_unit is not None:
        region = establishment_unit.region
    if region is None:
        unknown("vok.flemish-region", "region of the establishment unit unknown")
    else:
        check(
            "vok.flemish-region",
            region is Region.FLANDERS,
            f"establishment unit in {region}",
        )
    if applied_on is None:
        unknown("vok.retroactive-limit", "no application date")
    else:
        payable = months_passing("vok.retroactive-limit")
        check(
            "vok.retroactive-limit",
            payable > 0,
            f"{payable} month(s) payable, from {limit} (at most "
            f"{first_rules.retroactive_months} months before the application of {applied_on})"
            if payable
            else f"every month is more than {first_rules.retroactive_months} months before "
            f"the application of {applied_on}",
        )

    # -- the months, the premium, and why the decision may be provisional ----------------------
    refused_by_all = [c for c in checks if not c.passed and c.rule not in _MONTH_SUMMARIES]
    out_months: list[VokMonth] = []
    versions: dict[str, None] = {}
    for month in months:
        failed = (*month.failed, *refused_by_all)
        eligible = not failed and month.reduction is not None
        base = supplement = amount = None
        if eligible:
            assert month.rules is not None and month.reduction is not None
            base, extra = premium(
                month.rules, month.pays or month.reduction, lives_alone=bool(worker.lives_alone)
            )
            supplement = extra if worker.lives_alone else None
            amount = base + extra
            versions.setdefault(month.rules.version, None)
            reasons.extend(r for r in month.rules.provisional if r not in reasons)
        out_months.append(
            VokMonth(
                month=month.span.month,
                first_day=month.span.first,
                last_day=month.span.last,
                eligible=eligible,
                reduction=month.reduction,
                monthly_premium_eur=base,
                single_supplement_eur=supplement,
                amount_eur=amount,
                career_break_dossier=None if month.record is None else month.record.dossier_number,
                rule_data_version=None if month.rules is None else month.rules.version,
                failed=failed,
            )
        )
    paid = [m for m in out_months if m.eligible]
    eligible = bool(paid) and all(c.passed for c in checks)
    if not eligible:
        paid = []
    chosen = paid[0] if paid else None
    if chosen is None:
        reasons.extend(r for r in first_rules.provisional if r not in reasons)
    table_reason = codes.provisional_reason()
    if table_reason is not None:
        reasons.append(table_reason)
    unchecked = [c.rule for c in checks if not c.evaluated]
    if unchecked:
        reasons.append(f"not evaluated, facts not given: {', '.join(unchecked)}")
    partial = [m.month for m in paid if _span_of(months, m.month).partial]

    if partial:
        reasons.append(
            f"partial month(s) {', '.join(partial)} are shown at the full monthly amount: the "
            "sources do not say whether a partial month is paid pro rata"
        )
    tiered = [m for m in months if m.rules is not None and m.rules.premium_tiers is not None]
    if paid and tiered and worked_before is None:
        reasons.append(
            "the amounts assume the worker worked at least 75% in the year before the break; "
            "less gives a lower amount or none (domain.md): give the fraction worked before"
        )
    if paid and tiered and any(m.reduction is Reduction.ONE_FIFTH for m in tiered):
        reasons.append(
            "a one-fifth break is paid when the worker worked full time at the start of the "
            "break (domain.md), which brug is not told"
        )
    if period.end is None:
        reasons.append(f"open-ended period: decided for {OPEN_END_MONTHS} months from its start")
    return VokDecision(
        insz=worker.insz,
        odb_number=course.odb_number,
        period=period,
        eligible=eligible,
        reduction=None if chosen is None else chosen.reduction,
        monthly_premium_eur=None if chosen is None else chosen.monthly_premium_eur,
        single_supplement_eur=None if chosen is None else chosen.single_supplement_eur,
        career_break_dossier=None if chosen is None else chosen.career_break_dossier,
        rule_data_version="+".join([*(versions or {first_rules.version: None}), codes.version]),
        checks=tuple(checks),
        complete=not unchecked,
        months=tuple(out_months),
        total_eur=euros(sum((m.amount_eur or ZERO for m in paid), ZERO)) if paid else None,
        provisional=bool(reasons),
        provisional_reasons=tuple(reasons),
    )


#: Decision-level checks that summarise a month-level rule (the months carry the detail).
_MONTH_SUMMARIES = frozenset(
    {"vok.covers-period", "vok.reduction", "vok.course-active", "vok.retroactive-limit"}
)


def _tier(month: _Month, rules: VokRules, worked_before: Decimal | None) -> Reduction | None:
    """The amount a month's break gets for the work before it; refuses the month when the
    rule data has tiers, the fraction is known and no tier fits."""
    tiers = rules.premium_tiers
    reduction = month.reduction
    if tiers is None or worked_before is None or reduction is None:
        return None
    for tier in tiers:
        if tier.fits(reduction, worked_before):
            return tier.pays
    month.refuse(
        "vok.previous-work",
        f"no VOK amount for a {reduction} break after {worked_before:.0%} work the year before "
        f"({month.span.month}; domain.md)",
    )
    return None


def _span_of(months: Sequence[_Month], name: str) -> MonthSpan:
    return next(m.span for m in months if m.span.month == name)
