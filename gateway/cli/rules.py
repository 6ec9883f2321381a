"""``brug rules check FILE``: validate a rule-data file, a BEE crosswalk or a federal code
table before a deployment loads it.

A real crosswalk or code table arrives from another administration as a file; loading a broken
one at ``brug serve`` time would stop the gateway, and loading a wrong one silently would decide
refunds on it. This command runs the same loaders brug uses (format, dates, overlaps, statuses)
and prints what the file is (kind, version, status, source, validity), or every violation with
its rule name and exit 2.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from adapters.brussels.crosswalk import Crosswalk
from adapters.federal.codes import CodeTable
from gateway.cli._common import console, fail_validation
from gateway.errors import BrugValidationError, Violation
from gateway.rules.ruledata import Status, load_rule_file

NAME = "rules"
app = typer.Typer(help="Rule data, crosswalks and code tables: check a file.")


@app.callback()
def _group() -> None:
    """Rule data, crosswalks and code tables."""


def describe(path: Path) -> dict[str, Any]:
    """What ``path`` holds, after every check brug makes when loading it; BrugValidationError
    with every violation otherwise."""
    if path.suffix.lower() == ".csv":
        crosswalk = Crosswalk.from_files([path])
        entries = crosswalk.entries()
        first = entries[0] if entries else None
        return {
            "kind": "crosswalk",
            "file": str(path),
            "rows": len(entries),
            "status": None if first is None else first.status.value,
            "source": None if first is None else first.source,
            "valid_from": None if first is None else first.valid_from.isoformat(),
            "valid_to": None if first is None or first.valid_to is None else str(first.valid_to),
        }
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BrugValidationError(
            [Violation(str(path), "rules.file-unreadable", str(exc))], context="rule data"
        ) from None
    if "scheme" in raw:
        layer = load_rule_file(path)
        file = layer.file
        statuses: Counter[str] = Counter()
        for _name, values in file.parameters():
            statuses.update(e.status_in(file.status).value for e in values)
        return {
            "kind": f"rule data ({file.scheme})",
            "file": str(path),
            "version": file.version,
            "status": file.status.value,
            "source": file.source,
            "valid_from": None if file.coverage is None else file.coverage.valid_from.isoformat(),
            "valid_to": None if file.coverage is None else file.coverage.valid_to.isoformat(),
            "entries": dict(sorted(statuses.items())),
        }
    if "reasons" in raw or "categories" in raw:
        table = CodeTable.load(path)
        return {
            "kind": "federal code table",
            "file": str(path),
            "version": table.version,
            "status": table.status.value,
            "source": table.source,
            "valid_from": table.valid_from.isoformat(),
            "valid_to": None if table.valid_to is None else table.valid_to.isoformat(),
            "training_reasons": sorted(k for k, v in table.reasons.items() if v.training),
        }
    raise BrugValidationError(
        [
            Violation(
                str(path),
                "rules.file-kind",
                "not a rule-data TOML (no 'scheme'), a code table (no 'reasons') nor a "
                "crosswalk CSV (.csv)",
            )
        ],
        context="rule data",
    )


@app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="rule-data TOML, code-table TOML or crosswalk CSV")],
    output_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Validate FILE as brug loads it: format, dates, overlaps, status; exit 2 on any violation."""
    try:
        summary = describe(file)
    except BrugValidationError as exc:
        fail_validation(exc)
    if output_json:
        console.print_json(json.dumps(summary))
        return
    console.print(f"ok: {summary['kind']} {summary['file']}", markup=False, highlight=False)
    for key, value in summary.items():
        if key not in {"kind", "file"} and value is not None:
            console.print(f"  {key}: {value}", markup=False, highlight=False, soft_wrap=True)
    if summary.get("status") != Status.CONFIRMED.value or any(
        k != Status.CONFIRMED.value for k in summary.get("entries", {})
    ):
        console.print(
            "  note: not every figure is confirmed; decisions using them are provisional",
            markup=False,
            highlight=False,
        )
