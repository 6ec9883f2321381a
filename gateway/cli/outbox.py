"""``brug outbox``: look into, retry and clean up messages waiting for partners."""

from __future__ import annotations

import json
import signal
import threading
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gateway.cli._common import console
from gateway.cli._store import (
    URL_ENV,
    URL_HELP,
    cli_errors,
    fail,
    open_cli_store,
    parse_duration,
)
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.delivery.outbox import Outbox

NAME = "outbox"
app = typer.Typer(help="Messages queued for delivery to partners.", no_args_is_help=True)

UrlOption = Annotated[str | None, typer.Option("--url", envvar=URL_ENV, help=URL_HELP)]


def _time(value: object) -> str:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else ""


@app.command("list")
def list_entries(
    url: UrlOption = None,
    status: Annotated[OutboxStatus | None, typer.Option(help="Only this status.")] = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """List entries (oldest first) and the count per status."""
    store = open_cli_store(url)
    with cli_errors():
        outbox = Outbox(store)
        entries = outbox.list(status=status, partner=partner, limit=limit)
        counts = outbox.counts()
    table = Table(title="outbox")
    for column in (
        "id",
        "partner",
        "message id",
        "operation",
        "status",
        "attempts",
        "next attempt",
        "last error",
    ):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.id),
            e.partner,
            e.message_id,
            e.operation,
            e.status.value,
            str(e.attempts),
            _time(e.next_attempt_at),
            (e.last_error or "")[:60],
        )
    console.print(table)
    console.print(", ".join(f"{s.value}: {n}" for s, n in counts.items()))


def _entry_json(entry: OutboxEntry, payload: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "id": entry.id,
        "partner": entry.partner,
        "message_id": entry.message_id,
        "operation": entry.operation,
        "status": entry.status.value,
        "attempts": entry.attempts,
        "digest": entry.digest,
        "created_at": _time(entry.created_at),
        "next_attempt_at": _time(entry.next_attempt_at),
        "delivered_at": _time(entry.delivered_at),
        "lease_owner": entry.lease_owner,
        "lease_expires_at": _time(entry.lease_expires_at),
        "correlation_id": entry.correlation_id,
        "last_error": entry.last_error,
        "payload_bytes": len(entry.payload),
        "partner_answer": (entry.partner_answer or b"").decode("utf-8", "replace") or None,
    }
    if payload:
        data["payload"] = entry.payload.decode("utf-8", "replace")
    return data


@app.command("show")
def show(
    entry_id: Annotated[int, typer.Argument(help="Outbox entry id.")],
    url: UrlOption = None,
    payload: Annotated[
        bool, typer.Option(help="Include the signed payload (may hold an INSZ).")
    ] = False,
) -> None:
    """Show one entry as JSON (the payload only on request: it carries personal data)."""
    store = open_cli_store(url)
    with cli_errors():
        entry = Outbox(store).get(entry_id)
    typer.echo(json.dumps(_entry_json(entry, payload), indent=2))


@app.command("retry")
def retry(
    entry_id: Annotated[int, typer.Argument(help="Outbox entry id (dead or pending).")],
    url: UrlOption = None,
) -> None:
    """Send a dead entry again now, with fresh attempt and age budgets."""
    store = open_cli_store(url)
    with cli_errors():
        entry = Outbox(store).retry(entry_id)
    console.print(f"entry {entry.id} ({entry.partner} {entry.message_id}) is pending again")


@app.command("purge")
def purge(
    older_than: Annotated[str, typer.Option("--older-than", help="Age, e.g. 30d, 12h.")],
    url: UrlOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Really delete.")] = False,
) -> None:
    """Delete delivered and dead entries older than the given age (pending ones never)."""
    age = parse_duration(older_than)
    if age < timedelta(0):
        raise fail("--older-than must be positive")
    if not yes:
        raise fail(f"this deletes delivered and dead entries older than {age}; add --yes")
    store = open_cli_store(url)
    with cli_errors():
        removed = Outbox(store).purge(age)
    console.print(f"purged {removed} entries")


@app.command("work")
def work(
    config: Annotated[
        Path | None, typer.Option("--config", help="brug.toml (default: $BRUG_CONFIG)")
    ] = None,
    batch: Annotated[
        int | None, typer.Option(min=1, max=1000, help="override [delivery] batch_size")
    ] = None,
    lease: Annotated[str | None, typer.Option(help="override [delivery] lease, e.g. 60s")] = None,
    until_drained: Annotated[
        bool, typer.Option("--until-drained", help="stop when nothing is pending or in flight")
    ] = False,
) -> None:
    """Run one delivery worker in the foreground: the same pipeline as brug serve's.

    It reads the gateway's configuration (store, keys, partners, retry policy), signs each
    attempt, verifies the partners' signed answers and audits every attempt. Stops on SIGTERM or
    Ctrl-C after the batch in hand is recorded.
    """
    from gateway.config import load_settings
    from gateway.observability.logs import configure_logging
    from gateway.service.context import build_context
    from gateway.service.delivery_loop import build_worker, count_batch

    with cli_errors():
        settings = load_settings(config)
        configure_logging(
            settings.logging.level, json_lines=settings.logging.as_json, background=False
        )
        context = build_context(settings)
    try:
        worker = build_worker(context)
        if batch is not None:
            worker.batch_size = batch
        if lease is not None:
            worker.lease = parse_duration(lease)
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
        try:
            with cli_errors():
                report = worker.run(
                    stop=stop,
                    idle_sleep=settings.delivery.idle_poll.total_seconds(),
                    until_drained=until_drained,
                    on_batch=lambda r: count_batch(context.metrics, r),
                )
        except KeyboardInterrupt:
            stop.set()
            raise typer.Exit(130) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        context.close()
    console.print(f"delivered {report.delivered}, retried {report.retried}, dead {report.dead}")
