"""``brug demo``: start the stack, run the exchange, print a summary a newcomer can read."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from gateway.audit.signing import CheckpointVerifier
from gateway.audit.verify import verify_chain
from gateway.demo.exchange import ExchangeOutcome, run_exchange
from gateway.demo.progress import progress_bar
from gateway.demo.sample import generate
from gateway.demo.stack import DemoStack
from gateway.identifiers.insz import mask_insz
from gateway.store.database import Store

console = Console()


def _verify_audit(stack: DemoStack, outcome: ExchangeOutcome) -> None:
    store = Store(f"sqlite:///{stack.workdir / 'brug.db'}")
    try:
        verifier = CheckpointVerifier.from_pem(stack.pki["flanders"].cert.read_bytes())
        report = verify_chain(store, verifier)
    finally:
        store.dispose()
    outcome.audit_verified = report.ok
    outcome.audit_detail = (
        f"{report.entries_checked} entries, {report.checkpoints_verified} signed checkpoint(s)"
        if report.ok
        else f"first problem: {report.first_problem}"
    )


def _summary(outcome: ExchangeOutcome, stack: DemoStack) -> Table:
    table = Table(title="what happened", title_justify="left")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("registrations streamed (bulk NDJSON)", str(outcome.submitted))
    table.add_row("accepted and queued durably for Brussels", str(outcome.accepted))
    table.add_row(
        "  delivered to the Brussels simulator (stored there, exactly once)",
        str(outcome.stored_at_brussels),
    )
    table.add_row(
        f"  retries while Brussels was down ({outcome.outage_seconds:.0f} s outage)",
        str(outcome.retries),
    )
    table.add_row("stay in Flanders (Flemish establishment unit)", str(outcome.not_for_brussels))
    table.add_row("rejected", str(outcome.rejected))
    for rule, n in outcome.rejected_by_rule.most_common():
        table.add_row(f"  {rule}", str(n))
    table.add_row(
        "career-break mutations pushed by the federal side", str(outcome.mutations_pushed)
    )
    table.add_row("VOK candidates found (proactive list)", str(outcome.vok_candidates))
    audit = "verified" if outcome.audit_verified else "BROKEN"
    table.add_row(f"audit chain {audit}: {outcome.audit_detail}", "")
    return table


def run_full_demo(count: int, seed: int, workdir: Path, outage: float, mutations: int) -> int:
    console.print(
        Panel.fit(
            "brug demo — Flemish backend → gateway → Brussels (BEV), federal time credit → VOK\n"
            f"working directory: {workdir}"
        )
    )
    sample = generate(count, seed=seed)
    with console.status("starting the PKI, the Brussels and federal simulators and the gateway"):
        try:
            if workdir.exists():
                shutil.rmtree(workdir)
            stack = DemoStack(workdir).__enter__()
        except (RuntimeError, OSError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            Console(stderr=True).print(
                f"error: the demo could not start ({workdir}): {why}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            return 1
    try:
        console.print(
            f"gateway {stack.gateway_url} · Brussels simulator {stack.brussels.base_url} · "
            f"federal simulator {stack.federal.base_url}"
        )
        with progress_bar(console) as progress:
            task = progress.add_task("registrations", total=len(sample.items))

            def on_line(_: dict[str, Any]) -> None:
                progress.advance(task)

            def on_phase(text: str) -> None:
                progress.update(task, description=text)

            outcome = run_exchange(
                stack,
                sample,
                outage_seconds=outage,
                mutations=mutations,
                on_line=on_line,
                on_phase=on_phase,
            )
        _verify_audit(stack, outcome)
    finally:
        stack.close()
    console.print(_summary(outcome, stack))
    for candidate in outcome.vok_examples:
        insz = mask_insz(str(candidate.get("ssin", "")))
        status = candidate.get("status", "")
        reduction = candidate.get("reduction") or ""
        amount = (candidate.get("decision") or {}).get("monthlyPremiumEur") or ""
        console.print(f"  VOK candidate {insz}: {status} {reduction} {amount}")
    ok = outcome.audit_verified is True and outcome.stored_at_brussels == outcome.accepted
    console.print(
        "\nNext: run `brug serve --config "
        f"{stack.config_path}` and open {stack.gateway_url}/docs (Swagger UI) and "
        f"{stack.metrics_url} (metrics, its own listener); logs are in {workdir}/*.log; "
        "`brug demo --offline` shows the data core alone."
    )
    if not ok:
        console.print("[red]not everything accepted was delivered, or the audit chain broke[/red]")
    return 0 if ok else 1
