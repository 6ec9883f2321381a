"""Show a :class:`~.report.DiffReport`: a rich table and a verdict line, or JSON for tools."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from conformance.schema_diff.report import DiffReport


def _yes_no(ok: bool) -> Text:
    return Text("yes", style="green") if ok else Text("NO", style="bold red")


def render_json(report: DiffReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


def render_text(report: DiffReport, console: Console) -> None:
    """Changes table, golden results, warnings, then the verdict as the last line."""
    console.print(f"schema-diff ({report.format}) {report.old} → {report.new}", highlight=False)
    if report.changes:
        table = Table(title_justify="left", show_lines=True)
        for column, ratio in (
            ("change", 3),
            ("path", 3),
            ("kind", 2),
            ("BACKWARD?", 1),
            ("FORWARD?", 1),
            ("effect", 5),
        ):
            table.add_column(column, overflow="fold", ratio=ratio)
        for change in report.changes:
            effect = f"producers: {change.producers}\nconsumers: {change.consumers}"
            table.add_row(
                Text(change.description),
                Text(change.path),
                Text(f"{change.item} {change.kind.value}"),
                _yes_no(change.backward),
                _yes_no(change.forward),
                Text(effect),
            )
        console.print(table)
    if report.golden is not None:
        golden = Table(title="golden messages of OLD validated against NEW", title_justify="left")
        for column in ("file", "OLD", "NEW", "errors under NEW"):
            golden.add_column(column, overflow="fold")
        for result in report.golden:
            golden.add_row(
                Text(result.file),
                _yes_no(result.valid_old),
                _yes_no(result.valid_new),
                Text("\n".join(result.errors)),
            )
        if not report.golden:
            golden.add_row("(no golden message of OLD's namespace found)", "", "", "")
        console.print(golden)
    for warning in report.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    style = "green" if report.compatible else "bold red"
    console.print(Text(f"verdict: {report.verdict()}", style=style))
