"""``brug demo``: the data core end to end on the shipped examples and a generated sample.

The gateway service (SOAP/REST, simulators, delivery) will turn this into the full exchange;
until then the demo shows what every message goes through — validation, routing, mapping with
its report, XML in the partner's schema version, XSD check — and a VOK decision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import bev_to_vov, vov_to_bev
from adapters.federal.codes import CodeTable
from adapters.federal.vok import check_vok
from gateway.cli._common import EXIT_INVALID, console, err_console
from gateway.cli._inputs import read_bev, read_career_breaks, read_course, read_vov
from gateway.cli._output import cli_header
from gateway.demo.batch import run_batch
from gateway.demo.progress import progress_bar
from gateway.demo.sample import generate
from gateway.errors import BrugValidationError
from gateway.models import Period, Worker
from gateway.rules.ruledata import RuleBook

_MARKER = "vov-registration-brussels.json"


def examples_dir() -> Path | None:
    """The example inputs: the source tree's ``examples/`` or, installed from a wheel, the copy
    bundled at ``gateway/_bundled/examples`` (pyproject force-includes it there)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "examples", here.parents[1] / "_bundled" / "examples"):
        if (candidate / _MARKER).is_file():
            return candidate
    return None


def _examples(examples: Path, rules: RuleBook, crosswalk: Crosswalk) -> Table:
    table = Table(title="shipped examples", title_justify="left")
    table.add_column("input")
    table.add_column("outcome")
    table.add_column("detail", overflow="fold")
    course = read_course(examples / "odb-course.json")
    for name in (
        "vov-registration-brussels",
        "vov-registration-mover",
        "vov-registration-flanders",
    ):
        registration = read_vov(examples / f"{name}.json")
        try:
            result = vov_to_bev(registration, course, rules, crosswalk)
        except BrugValidationError as exc:
            table.add_row(name, "[yellow]not for Brussels[/yellow]", str(exc.violations[0]))
            continue
        record = result.record
        table.add_row(
            name,
            "[green]BEV record[/green]",
            f"cap {record.hours_cap} h, used {record.hours_already_used} h, claimable "
            f"{record.hours_claimable} h at €{record.flat_rate_eur}/h; "
            f"{len(result.report.flagged)} finding(s) to confirm",
        )
    moved = bev_to_vov(read_bev(examples / "bev-record-v1.xml"), crosswalk, rules)
    table.add_row(
        "bev-record-v1 → VOV",
        "[green]VOV registration[/green]",
        f"ODB {moved.record.odb_number}; Brussels hours carried as prior use: "
        f"{', '.join(f'{p.hours} h ({p.region})' for p in moved.record.prior_use) or 'none'}",
    )
    breaks = read_career_breaks(examples / "career-breaks.json")
    credit = next(r for r in breaks.records if r.source.value == "RVA")
    decision = check_vok(
        breaks.records,
        read_course(examples / "odb-course-vok.json"),
        Worker(insz=breaks.insz, education_level="medium", lives_alone=True),
        Period(begin=credit.period.begin, end=credit.period.end),
        rules,
        CodeTable.load(),
    )
    verdict = "[green]eligible[/green]" if decision.eligible else "[red]not eligible[/red]"
    table.add_row(
        "career breaks → VOK",
        verdict,
        f"{decision.reduction} time credit, €{decision.monthly_premium_eur}/month"
        f" + €{decision.single_supplement_eur} single supplement",
    )
    return table


def offline_demo(count: int, seed: int) -> None:
    """The data core alone: examples and the sample through validation, mapping, XML, XSD."""
    examples = examples_dir()
    if examples is None:
        err_console.print(
            "error: the example inputs are not installed (examples/ in the source tree, "
            "gateway/_bundled/examples in a wheel): reinstall brug",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_INVALID)
    rules = RuleBook.load()
    crosswalk = Crosswalk.load()
    console.print(Panel.fit("brug demo — VOV/ODB → BEV, BEV → VOV, career breaks → VOK"))
    console.print(_examples(examples, rules, crosswalk))

    sample = generate(count, seed=seed, crosswalk=crosswalk)
    header = cli_header("flanders-wse", "brussels-bee", "VOV-BEV-MOBILITY")
    with progress_bar(console) as progress:
        task = progress.add_task("mapping sample", total=len(sample.items))
        outcome = run_batch(
            sample,
            header,
            rules=rules,
            crosswalk=crosswalk,
            progress=lambda n: progress.advance(task, n),
        )

    summary = Table(title=f"sample of {outcome.total} registrations", title_justify="left")
    summary.add_column("outcome")
    summary.add_column("records", justify="right")
    summary.add_row("mapped to BEV, XML valid against its XSD", str(outcome.mapped))
    for version, n in sorted(outcome.by_version.items()):
        summary.add_row(f"  written as BEV v{version}", str(n))
    summary.add_row("  movers: Flemish hours carried", str(outcome.movers_carried))
    summary.add_row("  with findings to confirm", str(outcome.flagged_records))
    summary.add_row("stay in Flanders (Flemish establishment unit)", str(outcome.stays_in_flanders))
    summary.add_row("rejected", str(outcome.rejected))
    for rule, n in outcome.rejected_by_rule.most_common():
        summary.add_row(f"  {rule}", str(n))
    console.print(summary)
    rate = outcome.total / outcome.seconds if outcome.seconds else 0.0
    console.print(
        f"{outcome.total} records in {outcome.seconds:.2f} s ({rate:,.0f}/s, validation, mapping, "
        "XML and XSD included)."
    )
    where = _shown(examples)
    console.print(
        f"Next: `brug map vov-to-bev --vov {where}/vov-registration-brussels.json --course "
        f"{where}/odb-course.json --format xml`, `brug vok check --help`, `brug schemas`; "
        "design notes in docs/.",
        markup=False,
        highlight=False,
    )


def _shown(path: Path) -> str:
    """``examples`` from the repository root, else the installed copy's full path."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def demo_command(
    count: Annotated[int, typer.Option(help="sample size", min=1, max=200_000)] = 3000,
    seed: Annotated[int, typer.Option(help="sample seed")] = 2025,
    offline: Annotated[
        bool, typer.Option("--offline", help="data core only: no processes, no network")
    ] = False,
    workdir: Annotated[
        Path, typer.Option(help="where the PKI, config, database and logs go")
    ] = Path("var/demo"),
    outage: Annotated[
        float, typer.Option(help="seconds Brussels is down mid-run (0: no outage)", min=0)
    ] = 8.0,
    mutations: Annotated[int, typer.Option(help="career-break mutations pushed", min=1)] = 200,
) -> None:
    """The full exchange on loopback: simulators, gateway, a bulk file, an outage, VOK, audit."""
    if offline:
        offline_demo(count, seed)
        return
    from gateway.demo.full import run_full_demo

    raise typer.Exit(run_full_demo(count, seed, workdir, outage, mutations))


def register(root: typer.Typer) -> None:
    root.command("demo")(demo_command)
