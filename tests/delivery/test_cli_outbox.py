"""``brug outbox``: list, show, retry, purge (with its confirmation flag)."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from gateway.cli import app
from gateway.delivery import Outbox, PartnerAnswer
from gateway.delivery.outbox import Outcome
from gateway.store import Store
from tests.support.store import FakeClock

runner = CliRunner()


def test_operator_commands(store: Store, store_url: str, clock: FakeClock) -> None:
    outbox = Outbox(store)
    dead = outbox.enqueue(partner="bev", message_id="m-dead", operation="op", payload=b"<a/>")
    done = outbox.enqueue(partner="bev", message_id="m-done", operation="op", payload=b"<b/>")
    outbox.claim_batch("w", 2, timedelta(seconds=30))
    outbox.record(
        "w",
        [
            Outcome(dead.id, "dead", error="refused by partner: HTTP 400"),
            Outcome(done.id, "delivered", answer=PartnerAnswer(b"<ack/>")),
        ],
    )
    listed = runner.invoke(app, ["outbox", "list", "--url", store_url, "--status", "dead"])
    assert listed.exit_code == 0, listed.output
    assert "m-dead" in listed.output and "m-done" not in listed.output
    assert "dead: 1" in listed.output

    shown = runner.invoke(app, ["outbox", "show", str(done.id), "--url", store_url])
    data = json.loads(shown.output)
    assert data["status"] == "delivered" and data["partner_answer"] == "<ack/>"
    assert "payload" not in data  # personal data only on request

    retried = runner.invoke(app, ["outbox", "retry", str(dead.id), "--url", store_url])
    assert retried.exit_code == 0 and "pending again" in retried.output
    again = runner.invoke(app, ["outbox", "retry", str(done.id), "--url", store_url])
    assert again.exit_code == 2 and "only dead or pending" in again.output

    refused = runner.invoke(app, ["outbox", "purge", "--older-than", "1d", "--url", store_url])
    assert refused.exit_code == 2 and "--yes" in refused.output
    purged = runner.invoke(
        app, ["outbox", "purge", "--older-than", "1d", "--yes", "--url", store_url]
    )
    assert purged.exit_code == 0 and "purged 1 entries" in purged.output
    assert [e.message_id for e in outbox.list()] == ["m-dead"]


def test_unknown_entry_and_missing_database(store_url: str, store: Store) -> None:
    missing = runner.invoke(app, ["outbox", "show", "999", "--url", store_url])
    assert missing.exit_code == 2 and "no outbox entry 999" in missing.output
    nowhere = runner.invoke(app, ["outbox", "list", "--url", "sqlite:////nonexistent/x.db"])
    assert nowhere.exit_code == 2 and "Traceback" not in nowhere.output
