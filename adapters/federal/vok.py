"""VOK eligibility from federal career-break records: may the worker get the Flemish premium?

The SERV advice asks Flanders to grant the training credit (VOK) automatically, or contact the
worker proactively, from the time-credit data *with motive* it already receives. This module is
that decision as a pure, deterministic function: given the worker's career-break records
(MAGDA GeefLoopbaanonderbrekingen), the ODB course, the period and the rule data of that date,
it checks every VOK rule and records each one as a :class:`RuleCheck` (passed or not, and why),
so a refusal is explainable and a "possibly entitled" worker can be contacted with facts.

Facts the caller does not have (contract length, sector, region, application date, education
level) are recorded as passed with a message starting "not evaluated": the decision then says
"eligible as far as the data goes", which is what proactive contact needs. Callers that must
decide for payment pass them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from adapters.federal.codes import CodeTable
from gateway.models.career_break import CareerBreakRecord, CareerBreakSource, Period
from gateway.models.common import Region
from gateway.models.odb import CourseStatus, OdbCourse
from gateway.models.parties import Employer, EstablishmentUnit, Sector, Worker
from gateway.models.vok import Reduction, RuleCheck, VokDecision
from gateway.rules.ruledata import RuleBook
from gateway.rules.vok import premium, retroactive_limit, volume_check

NOT_EVALUATED = "not evaluated"


def _sort_key(record: CareerBreakRecord) -> tuple[date, str, str]:
    return (record.period.begin, record.dossier_number or "", record.reduction.code)


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
    applied_on: date | None = None,
) -> VokDecision:
    """Check every VOK rule for ``worker`` taking ``course`` during ``period``.

    Raises BrugValidationError (rule ``rules.unknown-school-year``) when no VOK rule data covers
    ``period.begin``. The premium (``monthly_premium_eur``, plus ``single_supplement_eur`` for
    a worker living alone; the amount paid is their sum) is given only when eligible.
    """
    vok = rules.vok(period.begin)
    checks: list[RuleCheck] = []

    def check(rule: str, passed: bool, message: str) -> None:
        checks.append(RuleCheck(rule=rule, passed=passed, message=message))

    def unknown(rule: str, what: str) -> None:
        # Not held against the worker (a proactive list must not drop them), but marked, so
        # that "eligible" with unchecked rules is never mistaken for a final decision.
        checks.append(
            RuleCheck(rule=rule, passed=True, evaluated=False, message=f"{NOT_EVALUATED}: {what}")
        )

    # -- the time credit: RVA-decided, time-credit category, training motive, covering ---------
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
        f"(code table {codes.version}{'' if codes.confirmed else ', assumed codes'})",
    )
    covering = [r for r in training if r.period.covers(period)]
    chosen = covering[0] if covering else None
    check(
        "vok.covers-period",
        chosen is not None,
        f"dossier {chosen.dossier_number or '(none)'} covers {period.begin}..{period.end or 'open'}"
        if chosen is not None
        else f"no training time credit covers {period.begin}..{period.end or 'open'}",
    )
    reduction: Reduction | None = None
    if chosen is not None:
        reduction = codes.reduction_of(chosen.reduction.code)
        if reduction is None:
            check(
                "vok.reduction",
                False,
                f"reduction code {chosen.reduction.code} is not full, half or one-fifth",
            )
        else:
            allowed = reduction in vok.allowed_reductions
            check(
                "vok.reduction",
                allowed,
                f"{reduction} interruption"
                + ("" if allowed else f" not allowed on {period.begin} (one-fifth since 2019-20)"),
            )
    else:
        check("vok.reduction", False, "no covering time credit to take the reduction from")

    # -- the course ---------------------------------------------------------------------------
    check(
        "vok.course-incentive",
        course.incentives.vok,
        "the ODB course counts for VOK"
        if course.incentives.vok
        else "the ODB course is not VOK-eligible",
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
    in_validity = course.valid_from <= period.begin and (
        course.valid_until is None or period.begin <= course.valid_until
    )
    check(
        "vok.course-active",
        active and in_validity,
        "active and valid at the period start"
        if active and in_validity
        else (
            "the course is stopped"
            if not active
            else "the period starts outside the course validity"
        ),
    )
    volume = volume_check(vok, course, period)
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
            level in vok.education_levels,
            f"education level {level}"
            + ("" if level in vok.education_levels else " (only low or medium, unless in a POP)"),
        )
    if contract_months is None:
        unknown("vok.contract", "contract length unknown")
    else:
        check(
            "vok.contract",
            contract_months >= vok.min_contract_months,
            f"{contract_months} months of continuous contract (minimum {vok.min_contract_months})",
        )
    if employer is None:
        unknown("vok.private-sector", "employer unknown")
    else:
        check(
            "vok.private-sector",
            employer.sector is Sector.PRIVATE,
            f"{employer.sector} sector",
        )
    if establishment_unit is None:
        unknown("vok.flemish-region", "establishment unit unknown")
    else:
        check(
            "vok.flemish-region",
            establishment_unit.region is Region.FLANDERS,
            f"establishment unit in {establishment_unit.region}",
        )
    if applied_on is None:
        unknown("vok.retroactive-limit", "no application date")
    else:
        limit = retroactive_limit(vok, applied_on)
        payable = period.end is None or period.end >= limit
        check(
            "vok.retroactive-limit",
            payable,
            f"payable from {max(limit, period.begin)} (at most {vok.retroactive_months} months "
            f"before the application of {applied_on})"
            if payable
            else f"the whole period ends before {limit}: more than {vok.retroactive_months} "
            "months before the application",
        )

    eligible = all(c.passed for c in checks)
    amount = supplement = None
    if eligible and reduction is not None:
        base, extra = premium(vok, reduction, lives_alone=bool(worker.lives_alone))
        amount = base
        supplement = extra if worker.lives_alone else None
    return VokDecision(
        insz=worker.insz,
        odb_number=course.odb_number,
        period=period,
        eligible=eligible,
        reduction=reduction,
        monthly_premium_eur=amount,
        single_supplement_eur=supplement,
        career_break_dossier=None if chosen is None else chosen.dossier_number,
        rule_data_version=f"{vok.version}+{codes.version}",
        checks=tuple(checks),
        complete=all(c.evaluated for c in checks),
    )
