"""The terminal summary: one line per case, the reason of each failure, the totals."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from conformance.endpoint.redact import redact
from conformance.endpoint.runner import CaseResult, SuiteResult, root_reason

_STYLE = {"passed": "green", "failed": "bold red", "skipped": "yellow"}
_LABEL = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def short_why(result: CaseResult) -> str:
    """A skip because of a root cause names the cause only: its reason is said once, with it."""
    if result.skipped_because is not None:
        return f"because {result.skipped_because} failed (root cause)"
    return redact("\n".join(result.reasons))


def case_line(result: CaseResult) -> str:
    """A plain one-line progress entry (for logs and non-terminals)."""
    reason = f" - {short_why(result).splitlines()[0]}" if result.reasons else ""
    return f"{_LABEL[result.outcome]} {result.case.id} ({result.seconds:.2f}s){reason}"


def print_summary(result: SuiteResult, console: Console) -> None:
    table = Table(title=f"{result.service} at {result.target}", show_lines=False)
    table.add_column("case", no_wrap=True)
    table.add_column("result", no_wrap=True)
    for column in ("operation", "rule", "why"):
        table.add_column(column, overflow="fold")
    for r in result.results:
        why = short_why(r) if r.outcome != "passed" else r.case.title
        table.add_row(
            r.case.id,
            f"[{_STYLE[r.outcome]}]{_LABEL[r.outcome]}[/]",
            r.case.operation,
            Text(r.case.rule),  # plain text: a reason's [brackets] are not rich markup
            Text(why),
        )
    console.print(table)
    transport = f" ({result.transport})" if result.transport else ""
    console.print(
        f"{result.count('passed')} passed, {result.count('failed')} failed, "
        f"{result.count('skipped')} skipped in {result.seconds:.1f}s{transport}",
        style="green" if result.exit_code == 0 else "bold red",
        highlight=False,
    )
    for root in result.root_causes:
        dependents = result.dependents(root.case.id)
        console.print(
            f"root cause: {root.case.id} failed, {len(dependents)} case(s) skipped because of "
            f"it: {redact(root_reason(root)).splitlines()[0]}",
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
