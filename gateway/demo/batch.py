"""Push a sample through validation → mapping → XML → XSD, and count what happened.

This is the data core of the exchange without the network: what ``brug demo`` shows today and
what the gateway service will do per message. Counting by rule (not by exception text) is what
an operator needs: "62 rejected for insz.checksum" tells them whom to call.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.brussels import xml as bev_xml
from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import ROUTE_NOT_BRUSSELS, vov_to_bev
from gateway.demo.sample import Sample
from gateway.errors import BrugValidationError
from gateway.mapping.report import FindingKind
from gateway.models.header import MessageHeader
from gateway.models.vov import VovRegistration
from gateway.rules.ruledata import RuleBook
from gateway.validation import parse_model
from gateway.xml import schemas


@dataclass(slots=True)
class BatchOutcome:
    mapped: int = 0
    stays_in_flanders: int = 0
    rejected: int = 0
    movers_carried: int = 0
    flagged_records: int = 0
    by_version: Counter[int] = field(default_factory=Counter)
    rejected_by_rule: Counter[str] = field(default_factory=Counter)
    findings_by_kind: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.mapped + self.stays_in_flanders + self.rejected


def run_batch(
    sample: Sample,
    header: MessageHeader,
    *,
    rules: RuleBook | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchOutcome:
    """Validate, map, serialise and schema-check every sample item; never stops on bad input."""
    rules = rules or RuleBook.load()
    crosswalk = crosswalk or Crosswalk.load()
    outcome = BatchOutcome()
    started = time.perf_counter()
    for item in sample.items:
        try:
            registration = parse_model(VovRegistration, item.registration)
            result = vov_to_bev(registration, sample.courses[item.odb_number], rules, crosswalk)
            version = bev_xml.best_version(result.record)
            root = bev_xml.to_xml(result.record, header, version=version)
            schemas.validate(bev_xml.SCHEMA_NAMES[version], root)
        except BrugValidationError as exc:
            rules_hit = {v.rule for v in exc.violations}
            if rules_hit == {ROUTE_NOT_BRUSSELS}:
                outcome.stays_in_flanders += 1
            else:
                outcome.rejected += 1
                outcome.rejected_by_rule.update(rules_hit)
        else:
            outcome.mapped += 1
            outcome.by_version[version] += 1
            if registration.prior_use:
                outcome.movers_carried += 1
            if result.report.flagged:
                outcome.flagged_records += 1
            outcome.findings_by_kind.update(f.kind.value for f in result.report.findings)
        if progress is not None:
            progress(1)
    outcome.seconds = time.perf_counter() - started
    return outcome


__all__ = ["BatchOutcome", "FindingKind", "run_batch"]
