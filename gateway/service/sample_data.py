"""Refuse to serve with sample rule data unless the configuration says so.

brug ships invented rows for the BEE crosswalk and invented federal motive codes so that the
demo and the tests run; a gateway deciding real refunds or premiums on them would be wrong
without anyone noticing. ``brug serve`` (and every worker it starts) therefore checks the
loaded data and stops, naming each sample source and how to replace it, unless
``[rules] allow_sample_data = true``; when allowed, it logs what is sample once at start.
"""

from __future__ import annotations

import logging

from gateway.config.sections import RulesConfig
from gateway.errors import BrugValidationError, Violation
from gateway.rules.ruledata import Status
from gateway.service.context import GatewayContext

SAMPLE_DATA = "rules.sample-data"

_log = logging.getLogger("brug.rules")


def sample_data_in_use(context: GatewayContext) -> list[Violation]:
    """One violation per source of sample data the context has loaded."""
    found: list[Violation] = []
    rows = context.crosswalk.sample_entries()
    if rows:
        found.append(
            Violation(
                "rules.crosswalk",
                SAMPLE_DATA,
                f"{len(rows)} crosswalk row(s) are sample data (first: {rows[0]}); load the "
                'real BEE crosswalk with [rules] crosswalk = ["/path/crosswalk.csv"]',
            )
        )
    if context.codes.status is Status.SAMPLE:
        found.append(
            Violation(
                "rules.codes",
                SAMPLE_DATA,
                f"the federal code table {context.codes.version} is sample data; load the "
                'real RVA/MAGDA code list with [rules] codes = "/path/codes.toml"',
            )
        )
    entries = context.rules.sample_entries()
    if entries:
        found.append(
            Violation(
                "rules.dirs",
                SAMPLE_DATA,
                f"{len(entries)} rule-data entr(y/ies) are sample data (first: {entries[0]})",
            )
        )
    return found


def refuse_sample_data(config: RulesConfig, context: GatewayContext) -> None:
    """BrugValidationError naming every sample source, unless ``allow_sample_data``."""
    found = sample_data_in_use(context)
    if not found:
        return
    if not config.allow_sample_data:
        raise BrugValidationError(
            [
                *found,
                Violation(
                    "rules.allow_sample_data",
                    SAMPLE_DATA,
                    "brug serve refuses sample data; set [rules] allow_sample_data = true "
                    "only for a demo or a test (docs/rules.md)",
                    "false",
                ),
            ],
            context="rule data",
        )
    for violation in found:
        _log.warning("serving with sample data (allow_sample_data = true): %s", violation.message)
