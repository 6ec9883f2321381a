"""``brug vov check``: the Flemish decision on a VOV registration, rule by rule with sources."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli._common import console, err_console, fail_validation
from gateway.cli._inputs import read_course, read_vov
from gateway.errors import BrugValidationError, Violation
from gateway.models.vov_check import VovDecision
from gateway.rules.ruledata import RuleBook
from gateway.rules.vov_decision import VovFacts, decide_vov

NAME = "vov"
app = typer.Typer(help="Flemish training leave (VOV): decide a registration.")


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.callback()
def _group() -> None:
    """Flemish training leave (VOV)."""


def _facts(
    attended: str | None, final_assessment: bool, filed_on: str | None, wage: str | None
) -> VovFacts:
    violations: list[Violation] = []
    numbers: dict[str, Decimal | None] = {}
    for name, text in (("attended-hours", attended), ("monthly-wage", wage)):
        numbers[name] = None
        if text is not None:
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = Decimal(-1)
            if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
                violations.append(
                    Violation(name, "type.decimal", "a number >= 0 with at most 2 decimals", text)
                )
            else:
                numbers[name] = value
    filed: date | None = None
    if filed_on is not None:
        try:
            filed = date.fromisoformat(filed_on)
        except ValueError:
            violations.append(Violation("filed-on", "type.date", "expected YYYY-MM-DD", filed_on))
    if violations:
        raise BrugValidationError(violations, context="command line")
    return VovFacts(
        attended_hours=numbers["attended-hours"],
        final_assessment=final_assessment,
        filed_on=filed,
        monthly_wage_eur=numbers["monthly-wage"],
    )


@app.command("check")
def check_command(
    vov: Annotated[Path, typer.Option("--vov", help="VOV registration (JSON or XML)")],
    course: Annotated[Path, typer.Option("--course", help="ODB course (JSON or XML)")],
    output_format: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
    attended_hours: Annotated[
        str | None, typer.Option("--attended-hours", help="contact hours attended")
    ] = None,
    final_assessment: Annotated[
        bool, typer.Option("--final-assessment", help="took part in the final assessment")
    ] = False,
    filed_on: Annotated[
        str | None, typer.Option("--filed-on", help="refund filing date, YYYY-MM-DD")
    ] = None,
    monthly_wage: Annotated[
        str | None, typer.Option("--monthly-wage", help="gross monthly wage, EUR")
    ] = None,
) -> None:
    """Decide a VOV registration: region, sector, fraction, course minimum, attendance, cap,
    flat rate, wage cap and refund window, each with its result and source."""
    try:
        facts = _facts(attended_hours, final_assessment, filed_on, monthly_wage)
        decision = decide_vov(read_vov(vov), read_course(course), RuleBook.load(), facts)
    except BrugValidationError as exc:
        fail_validation(exc)
    if output_format is Format.JSON:
        console.print_json(json.dumps(decision.model_dump(mode="json")))
    else:
        _print(decision)
    if not decision.eligible:
        err_console.print("not eligible: see the rules marked NO")


def _print(decision: VovDecision) -> None:
    table = Table(
        title=f"VOV {decision.registration_id}, course {decision.odb_number}, "
        f"{decision.school_year}",
        title_justify="left",
    )
    for column in ("rule", "ok", "why", "source"):
        table.add_column(column, overflow="fold")
    for check in decision.checks:
        ok = "?" if not check.evaluated else ("yes" if check.passed else "NO")
        table.add_row(check.rule, ok, check.message, check.source or "")
    console.print(table)
    verdict = "ELIGIBLE" if decision.eligible else "NOT ELIGIBLE"
    if decision.provisional:
        verdict += " (provisional)"
    money = (
        f": {decision.claimable_hours} h x €{decision.flat_rate_eur} = €{decision.refund_eur}"
        if decision.eligible
        else ""
    )
    console.print(
        f"[bold]{verdict}[/bold]{money}; refund window {decision.refund_window_start}.."
        f"{decision.refund_window_end}  (rules {decision.rule_data_version})"
    )
    for reason in decision.provisional_reasons:
        console.print(f"  provisional: {reason}", markup=False)
