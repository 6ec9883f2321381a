"""The terminal summary: one line per case, the reason of each failure, the totals."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from conformance.endpoint.redact import redact
from conformance.endpoint.runner import CaseResult, SuiteResult

_STYLE = {"passed": "green", "failed": "bold red", "skipped": "yellow"}
_LABEL = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def case_line(result: CaseResult) -> str:
    """A plain one-line progress entry (for logs and non-terminals)."""
    reason = f" - {redact(result.reasons[0]).splitlines()[0]}" if result.reasons else ""
    return f"{_LABEL[result.outcome]} {result.case.id} ({result.seconds:.2f}s){reason}"


def print_summary(result: SuiteResult, console: Console) -> None:
    table = Table(title=f"{result.service} at {result.target}", show_lines=False)
    table.add_column("case", no_wrap=True)
    table.add_column("result", no_wrap=True)
    for column in ("operation", "rule", "why"):
        table.add_column(column, overflow="fold")
    for r in result.results:
        why = redact("\n".join(r.reasons)) if r.outcome != "passed" else r.case.title
        table.add_row(
            r.case.id,
            f"[{_STYLE[r.outcome]}]{_LABEL[r.outcome]}[/]",
            r.case.operation,
            r.case.rule,
            why,
        )
    console.print(table)
    transport = f" ({result.transport})" if result.transport else ""
    console.print(
        f"{result.count('passed')} passed, {result.count('failed')} failed, "
        f"{result.count('skipped')} skipped in {result.seconds:.1f}s{transport}",
        style="green" if result.exit_code == 0 else "bold red",
        highlight=False,
    )
