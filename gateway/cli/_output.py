"""Rendering shared by the mapping commands: reports as tables or JSON, headers for XML output."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from gateway.mapping.report import MappingReport
from gateway.models.header import MessageHeader, Party


def report_table(report: MappingReport) -> Table:
    table = Table(
        title=f"{report.source} → {report.target}: what was not one-to-one "
        f"(rules {report.rule_data_version})",
        title_justify="left",
    )
    for column in ("field", "kind", "message", "from", "to"):
        table.add_column(column, overflow="fold")
    for f in report.findings:
        table.add_row(f.field, f.kind.value, f.message, f.source_value or "", f.target_value or "")
    for reason in report.provisional:
        table.add_row("(rule data)", "PROVISIONAL", reason, "", "")
    return table


def cli_header(sender: str, recipient: str, purpose: str) -> MessageHeader:
    """A fresh header for a document the CLI writes (new message id, now, stated purpose)."""
    return MessageHeader(
        message_id=uuid.uuid4(),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        sender=Party(code=sender),
        recipient=Party(code=recipient),
        purpose=purpose,
    )


def dataclass_dict(value: Any) -> dict[str, Any]:
    return asdict(value)
