"""``brug audit``: verify the hash chain and its signed checkpoints, export a period."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from gateway.audit.export import export_period, verify_export
from gateway.audit.log import AuditLog
from gateway.audit.signing import CheckpointSigner, CheckpointVerifier
from gateway.audit.verify import verify_chain
from gateway.cli._common import console, err_console
from gateway.cli._store import URL_ENV, URL_HELP, cli_errors, fail, open_cli_store

NAME = "audit"
app = typer.Typer(help="The hash-chained audit log of every message.", no_args_is_help=True)

EXIT_TAMPERED = 1
UrlOption = Annotated[str | None, typer.Option("--url", envvar=URL_ENV, help=URL_HELP)]
KeyOption = Annotated[
    Path | None,
    typer.Option("--public-key", help="Gateway public key, certificate or key PEM."),
]


def _verifier(path: Path | None) -> CheckpointVerifier | None:
    if path is None:
        return None
    with cli_errors():
        return CheckpointVerifier.from_pem(path.read_bytes())


def _parse_time(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: not an ISO 8601 date or time: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@app.command("verify")
def verify(url: UrlOption = None, public_key: KeyOption = None) -> None:
    """Check every entry and checkpoint; exit 1 and name the FIRST broken entry if tampered."""
    verifier = _verifier(public_key)
    store = open_cli_store(url)
    with cli_errors():
        report = verify_chain(store, verifier)
    if report.first_problem is not None:
        err_console.print(
            f"[red]TAMPERED[/red] first problem at {report.first_problem}", highlight=False
        )
    for problem in report.checkpoint_problems:
        err_console.print(f"[red]checkpoint problem[/red] {problem}", highlight=False)
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)
    console.print(
        f"audit chain intact: {report.entries_checked} entries, "
        f"{report.checkpoints_verified} checkpoints"
    )
    if not report.signatures_checked:
        err_console.print(
            "[yellow]warning:[/yellow] checkpoint signatures NOT checked (give --public-key)"
        )


@app.command("export")
def export(
    start: Annotated[str, typer.Option("--from", help="Start (ISO 8601, UTC if no offset).")],
    end: Annotated[str, typer.Option("--to", help="End, exclusive.")],
    url: UrlOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Write the entries of a period with their chain proof as JSON."""
    begin, finish = _parse_time(start, "--from"), _parse_time(end, "--to")
    if finish <= begin:
        raise fail("--to must be after --from")
    store = open_cli_store(url)
    with cli_errors():
        text = json.dumps(export_period(store, begin, finish), indent=2, ensure_ascii=False)
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            console.print(f"wrote {output}")


@app.command("verify-export")
def verify_export_file(
    document: Annotated[Path, typer.Argument(help="A file written by `brug audit export`.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="Gateway public key PEM.")],
) -> None:
    """Check an export on its own (no database): chain, links and checkpoint signature."""
    verifier = _verifier(public_key)
    assert verifier is not None
    with cli_errors():
        try:
            doc = json.loads(document.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise fail(f"{document} is not JSON: {exc.msg}") from None
        try:
            result = verify_export(doc, verifier)
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(f"{document} is not a valid export: {exc}") from None
    for problem in result.problems:
        err_console.print(f"[red]problem[/red] {problem}", highlight=False)
    if not result.ok:
        raise typer.Exit(EXIT_TAMPERED)
    console.print(
        f"export verified: {len(doc['entries'])} entries anchored at checkpoint "
        f"{result.anchored_at}"
    )


@app.command("checkpoint")
def checkpoint(
    key: Annotated[Path, typer.Option("--key", help="Gateway private key PEM (RSA or EC).")],
    url: UrlOption = None,
) -> None:
    """Sign the current chain head now."""
    with cli_errors():
        signer = CheckpointSigner.from_pem(key.read_bytes())
    store = open_cli_store(url)
    with cli_errors():
        row = AuditLog(store, signer=signer).checkpoint()
    if row is None:
        console.print("the audit log is empty: nothing to sign")
    else:
        console.print(f"checkpoint at entry {row.seq} ({row.entry_hash[:16]}…)")
