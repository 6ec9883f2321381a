"""The proactive VOK list the SERV advice asks for: who has training time credit right now?

Built from the mutation feed the federal side pushes (new and cancelled attests), not from a
query per worker: Flanders receives the time-credit data *with motive* already, so it can find
the workers itself and either grant VOK automatically or contact them. An attest counts when
its latest status is "new" (a later cancellation removes it), it comes from the RVA, and the
code table calls its category time credit and its reason training. Each worker is checked with
:func:`adapters.federal.vok.check_vok` when a course is known; without one they are listed as
"to contact" (the course they follow is what the conversation is about).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from adapters.federal.codes import CodeTable
from adapters.federal.vok import check_vok
from gateway.errors import BrugValidationError
from gateway.models import (
    AttestStatus,
    CareerBreakRecord,
    CareerBreakSource,
    OdbCourse,
    Period,
    Worker,
)
from gateway.rules.ruledata import RuleBook
from gateway.service.records import StoredMutation
from gateway.service.rest.schemas import Candidate


@dataclass(slots=True)
class _Worker:
    attests: list[str] = field(default_factory=list)
    records: list[CareerBreakRecord] = field(default_factory=list)


def training_credits(
    feed: Sequence[StoredMutation], codes: CodeTable, period: Period | None = None
) -> dict[str, _Worker]:
    """Live RVA training time credit per INSZ, in feed order (the latest status wins)."""
    latest: dict[str, StoredMutation] = {}
    for stored in feed:
        latest[stored.mutation.attest_number] = stored
    workers: dict[str, _Worker] = {}
    for number, stored in latest.items():
        mutation = stored.mutation
        record = mutation.record
        if mutation.status is not AttestStatus.NEW or record.source is not CareerBreakSource.RVA:
            continue
        if not codes.is_time_credit(record.category.code):
            continue
        if not codes.is_training_reason(None if record.reason is None else record.reason.code):
            continue
        if period is not None and not record.period.overlaps(period):
            continue
        entry = workers.setdefault(record.insz, _Worker())
        entry.attests.append(number)
        entry.records.append(record)
    return workers


def candidates(
    feed: Sequence[StoredMutation],
    codes: CodeTable,
    rules: RuleBook,
    course: OdbCourse | None,
    period: Period | None = None,
) -> list[Candidate]:
    """One candidate per worker, ordered by INSZ so that the list is stable between calls."""
    out: list[Candidate] = []
    for insz, found in sorted(training_credits(feed, codes, period).items()):
        record = max(found.records, key=lambda r: r.period.begin)
        reduction = codes.reduction_of(record.reduction.code)
        base = {
            "insz": insz,
            "attest_numbers": sorted(found.attests),
            "dossier_number": record.dossier_number,
            "period": record.period.model_dump(),
            "reduction": reduction,
        }
        if course is None:
            out.append(Candidate(status="to-contact", **base))
            continue
        try:
            decision = check_vok(
                found.records, course, Worker(insz=insz), record.period, rules, codes
            )
        except BrugValidationError as exc:
            out.append(
                Candidate(
                    status="to-contact",
                    note=f"no decision: {exc.violations[0].message}",
                    **base,
                )
            )
            continue
        if not decision.eligible:
            status = "not-eligible"
        elif not decision.provisional:  # every rule checked, every figure and code confirmed
            status = "eligible"
        else:
            status = "provisional"
        out.append(Candidate(status=status, decision=decision.model_dump(), **base))
    return out
