"""``brug vok check``: is a worker entitled to the Flemish training-credit premium (VOK)?"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adapters.federal.codes import CodeTable
from adapters.federal.vok import check_vok
from gateway.cli._common import console, err_console, fail_validation
from gateway.cli._inputs import read_career_breaks, read_course
from gateway.errors import BrugValidationError, Violation
from gateway.models import EducationLevel, Period, Region, VokDecision, Worker
from gateway.models.parties import Sector
from gateway.rules.ruledata import RuleBook
from gateway.validation import parse_model

NAME = "vok"
app = typer.Typer(help="Training-credit premium (VOK) from federal time-credit data.")


@app.callback()
def _group() -> None:
    """Training-credit premium (VOK) checks."""


def _period(response_period: Period, begin: date | None, end: date | None) -> Period:
    if begin is None and end is None:
        return response_period
    return parse_model(
        Period,
        {"begin": begin or response_period.begin, "end": end or response_period.end},
        context="command line",
    )


@app.command("check")
def check_command(
    career_breaks: Annotated[
        Path, typer.Option("--career-breaks", help="career-break response (XML or JSON)")
    ],
    course: Annotated[Path, typer.Option("--course", help="ODB course (XML or JSON)")],
    begin: Annotated[str | None, typer.Option(help="period begin, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="period end, YYYY-MM-DD")] = None,
    education_level: Annotated[EducationLevel | None, typer.Option("--education-level")] = None,
    lives_alone: Annotated[bool, typer.Option("--lives-alone/--not-alone")] = False,
    in_pop: Annotated[bool, typer.Option("--pop", help="course is in a personal plan")] = False,
    contract_months: Annotated[
        int | None, typer.Option(min=0, help="months of continuous contract with the employer")
    ] = None,
    sector: Annotated[
        Sector | None, typer.Option(help="the employer's sector (VOK: private only)")
    ] = None,
    region: Annotated[
        Region | None, typer.Option(help="region of the establishment unit (VOK: flanders)")
    ] = None,
    applied_on: Annotated[
        str | None, typer.Option(help="application date, YYYY-MM-DD (6 months retroactive)")
    ] = None,
    worked_before: Annotated[
        str | None,
        typer.Option(
            "--worked-before", help="work fraction (0-1) in the year before the break: the amount"
        ),
    ] = None,
    codes: Annotated[Path | None, typer.Option(help="motive code table (TOML)")] = None,
    output_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
) -> None:
    """Decide VOK month by month from career-break records and the course, listing every rule.

    Facts not given (education level, contract, sector, region, application date) are marked
    "?" and make the decision provisional, as do figures or codes that are not confirmed.
    """
    try:
        dates: dict[str, date | None] = {}
        violations: list[Violation] = []
        for name, value in (("begin", begin), ("end", end), ("applied-on", applied_on)):
            try:
                dates[name] = date.fromisoformat(value) if value else None
            except ValueError:
                violations.append(Violation(name, "type.date", "expected YYYY-MM-DD", value))
        fraction: Decimal | None = None
        if worked_before is not None:
            try:
                fraction = Decimal(worked_before)
            except InvalidOperation:
                fraction = None
            if fraction is None or not (0 <= fraction <= 1):
                violations.append(
                    Violation(
                        "worked-before", "type.fraction", "a number from 0 to 1", worked_before
                    )
                )
        if violations:
            raise BrugValidationError(violations, context="command line")
        response = read_career_breaks(career_breaks)
        odb_course = read_course(course)
        worker = parse_model(
            Worker,
            {
                "insz": response.insz,
                "education_level": education_level,
                "lives_alone": lives_alone,
            },
            context="worker",
        )
        period = _period(response.period, dates["begin"], dates["end"])
        decision = check_vok(
            response.records,
            odb_course,
            worker,
            period,
            RuleBook.load(),
            CodeTable.load(codes),
            contract_months=contract_months,
            in_pop=in_pop,
            sector=sector,
            region=region,
            applied_on=dates["applied-on"],
            worked_before=fraction,
        )
    except BrugValidationError as exc:
        fail_validation(exc)
    if output_json:
        console.print_json(json.dumps(decision.model_dump(mode="json")))
    else:
        _print_decision(decision)
    if not decision.eligible:
        err_console.print("not eligible: see the rules marked NO and the refused months")


def _print_decision(decision: VokDecision) -> None:
    """The rules, the months, the verdict and, when provisional, every reason."""
    table = Table(title=f"VOK for course {decision.odb_number}", title_justify="left")
    table.add_column("rule")
    table.add_column("ok")
    table.add_column("why", overflow="fold")
    for check in decision.checks:
        ok = "?" if not check.evaluated else ("yes" if check.passed else "NO")
        table.add_row(check.rule, ok, check.message)
    console.print(table)
    months = Table(title="per month", title_justify="left")
    for column in ("month", "days", "ok", "reduction", "amount €", "refused by"):
        months.add_column(column, overflow="fold")
    for month in decision.months:
        months.add_row(
            month.month,
            f"{month.first_day.day}-{month.last_day.day}",
            "yes" if month.eligible else "NO",
            month.reduction or "",
            "" if month.amount_eur is None else str(month.amount_eur),
            "; ".join(f"{c.rule}: {c.message}" for c in month.failed),
        )
    console.print(months)
    verdict = "ELIGIBLE" if decision.eligible else "NOT ELIGIBLE"
    amount = ""
    if decision.eligible:
        paid = [m for m in decision.months if m.eligible]
        amount = f" for {len(paid)} of {len(decision.months)} month(s), total €{decision.total_eur}"
        amount += f" (from €{decision.monthly_premium_eur}/month, {decision.reduction}"
        if decision.single_supplement_eur:
            amount += f", + €{decision.single_supplement_eur} single supplement"
        amount += ")"
    if decision.provisional:
        verdict += " (provisional)"
    console.print(f"[bold]{verdict}[/bold]{amount}  (rules {decision.rule_data_version})")
    for reason in decision.provisional_reasons:
        console.print(f"  provisional: {reason}", markup=False)
