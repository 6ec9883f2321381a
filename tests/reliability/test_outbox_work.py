"""``brug outbox work``, the foreground delivery worker, as an operator runs it: its own process
next to a gateway that only takes requests (``brug serve --no-delivery``), PostgreSQL, and the
Brussels simulator (``strict`` profile: a Timestamp older than five minutes is refused, a
signature seen before is refused as a replay). Counted from the simulator's side.

It is the same pipeline as ``brug serve``'s embedded loop (one transport: sign each attempt,
send, verify the signed answer), so a message that waited longer than the partner's window is
delivered, and a re-send after ``kill -9`` carries a fresh signature instead of a replayed one.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from adapters.simulation.process import free_port
from gateway.store.database import Store
from gateway.store.tables import AuditEntryRow, OutboxRow
from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import (
    LEASE,
    Backend,
    GatewayProcess,
    accepted_ids,
    brussels_simulator,
    gateways,
    outbox_counts,
    partner_view,
    sample_lines,
    stored_total,
    unfinished,
    wait_until,
    write_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def outbox_work(config: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", "outbox", "work", "--config", str(config), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def intake(workdir: Path, pki: PkiLayout, config: Path, port: int, lines: int) -> list[str]:
    """Registrations accepted by a gateway that does not deliver (``--no-delivery``)."""
    gateway = GatewayProcess(config, port, workdir / "intake.log", extra_args=("--no-delivery",))
    with gateways(gateway):
        gateway.start()
        backend = Backend(gateway.url, pki)
        try:
            return accepted_ids(backend.bulk(sample_lines(lines, seed=11)))
        finally:
            backend.close()


@pytest.mark.timeout(180)
def test_outbox_work_delivers_a_message_that_waited_ten_minutes(
    workdir: Path, pki: PkiLayout, pg_db: str
) -> None:
    with brussels_simulator(workdir, pki) as sim:
        port = free_port()
        config = write_config(workdir, pki, port, sim.service_url, store_url=pg_db)
        accepted = intake(workdir, pki, config, port, 40)
        assert accepted
        store = Store(pg_db)
        try:
            with store.begin() as conn:  # they waited ten minutes (twice the partner's window)
                conn.execute(
                    text("UPDATE outbox SET created_at = created_at - interval '10 minutes'")
                )
                payloads = conn.execute(select(OutboxRow.payload)).scalars().all()
            assert all(b"Security" not in p for p in payloads)  # stored unsigned
            worker = outbox_work(config, workdir / "work.log", "--until-drained")
            assert worker.wait(120) == 0, (workdir / "work.log").read_text()
            assert outbox_counts(pg_db)["delivered"] == len(accepted)
            view = partner_view(sim)
            assert all(view.stored.get(m) == 1 for m in accepted)
            with store.transaction() as tx:
                sending = tx.scalars(
                    select(AuditEntryRow).where(AuditEntryRow.outcome == "attempt 1: sending")
                ).all()
            assert len(sending) == len(accepted)
            now = datetime.now(UTC)
            for row in sending:  # each signed at send time, not ten minutes earlier
                created = datetime.fromisoformat(str(row.sent_at).replace("Z", "+00:00"))
                assert now - created < timedelta(minutes=2)
        finally:
            store.dispose()


@pytest.mark.timeout(300)
def test_outbox_work_killed_mid_delivery_then_restarted_delivers_each_once(
    workdir: Path, pki: PkiLayout, pg_db: str, record_property: Any
) -> None:
    with brussels_simulator(workdir, pki) as sim:
        port = free_port()
        config = write_config(workdir, pki, port, sim.service_url, store_url=pg_db)
        accepted = intake(workdir, pki, config, port, 600)
        assert len(accepted) > 400
        sim.set_faults(latency_ms=10)  # keeps delivery running long enough to kill into it
        first = outbox_work(config, workdir / "work-1.log")
        try:
            wait_until(lambda: stored_total(sim) >= 100, timeout=90, what="delivery to start")
            store = Store(pg_db)
            try:
                with store.begin() as conn:
                    held = set(
                        conn.execute(
                            text("SELECT message_id FROM outbox WHERE status = 'in_flight'")
                        ).scalars()
                    )
            finally:
                store.dispose()
            first.kill()  # SIGKILL, with a batch in flight
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        at_kill = stored_total(sim)
        assert 0 < at_kill < len(accepted), "the kill must land mid-delivery"
        assert held, "the killed worker held no lease"
        sim.clear_faults()
        second = outbox_work(config, workdir / "work-2.log", "--until-drained")
        assert second.wait(LEASE.total_seconds() + 120) == 0, (workdir / "work-2.log").read_text()
        assert unfinished(pg_db) == 0
        counts = outbox_counts(pg_db)
        # Nothing dead: a re-send of what the killed worker held was signed afresh, so the
        # simulator did not refuse it as a replayed signature.
        assert counts["dead"] == 0 and counts["delivered"] == len(accepted), counts
        view = partner_view(sim)
        missing = [m for m in accepted if view.stored.get(m) != 1]
        assert not missing, missing[:5]
        twice = set(view.sent_more_than_once(accepted))
        assert twice <= held, twice - held  # only what the killed worker was holding
        record_property("sent_twice", len(twice))
        print(
            f"\noutbox work SIGKILL: {len(accepted)} accepted, {at_kill} at the kill, "
            f"{len(twice)} sent twice"
        )


@pytest.mark.timeout(240)
def test_a_third_of_the_answers_lost_delivery_never_stalls_for_a_cool_down(
    workdir: Path, pki: PkiLayout, pg_db: str, record_property: Any
) -> None:
    """30 % of Brussels' answers lost after it stored the record (it answers 503 instead), with
    the production breaker settings (opens after 5 failures, cool-down up to 30 s): the breaker
    may open, but its first trial comes after 1 s, so delivery never stops for the long
    cool-down; every message is stored once."""
    with brussels_simulator(workdir, pki) as sim:
        port = free_port()
        config = write_config(workdir, pki, port, sim.service_url, store_url=pg_db)
        text_ = config.read_text(encoding="utf-8").replace('cool_down = "2s"', 'cool_down = "30s"')
        config.write_text(text_, encoding="utf-8")
        accepted = intake(workdir, pki, config, port, 300)
        sim.set_faults(fail_ratio=0.3, fail_mode="after", seed=7)
        worker = outbox_work(config, workdir / "work.log", "--until-drained")
        assert worker.wait(180) == 0, (workdir / "work.log").read_text()
        sim.clear_faults()
        counts = outbox_counts(pg_db)
        assert counts["delivered"] == len(accepted) and counts["dead"] == 0, counts
        view = partner_view(sim)
        assert all(view.stored.get(m) == 1 for m in accepted)
        store = Store(pg_db)
        try:
            with store.transaction() as tx:
                times = sorted(tx.scalars(select(OutboxRow.delivered_at)).all())
        finally:
            store.dispose()
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        longest = max(gaps)
        record_property("longest_gap_s", round(longest, 2))
        print(f"\n30 % answers lost: {len(accepted)} delivered, longest gap {longest:.2f} s")
        assert longest < 10.0, f"delivery stalled for {longest:.1f} s"
