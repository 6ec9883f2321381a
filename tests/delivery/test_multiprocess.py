"""Three worker processes on one PostgreSQL, one SIGKILLed mid-run: nothing lost, no double effect.

Delivery is at-least-once: the killed worker may have sent a few messages it never got to
record, and those are sent again after its lease expires. The loopback partner deduplicates on
the message id like a real partner's inbox, so each message has exactly one effect; the test
also proves that the only messages *received* twice are ones the killed worker was holding.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from gateway.delivery import Outbox, OutboxStatus
from gateway.delivery.loopback import LoopbackPartner
from gateway.store import Store
from gateway.store.tables import OutboxRow
from tests.delivery.helpers import envelope

TOTAL = 2000


def held_by(store: Store, owner: str) -> set[str]:
    with store.transaction() as tx:
        return set(
            tx.scalars(
                select(OutboxRow.message_id).where(
                    OutboxRow.lease_owner == owner, OutboxRow.status == "in_flight"
                )
            )
        )


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_three_workers_one_killed_deliver_everything_once(pg_store: Store) -> None:
    outbox = Outbox(pg_store)
    with pg_store.transaction() as tx:
        for i in range(TOTAL):
            outbox.enqueue(
                partner="bev",
                message_id=f"m-{i:05d}",
                operation="op",
                payload=envelope(str(i)),
                tx=tx,
            )
    with LoopbackPartner() as partner:
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gateway.delivery.runner",
                    "--url",
                    pg_store.url,
                    "--partner",
                    f"bev={partner.url}",
                    "--owner",
                    f"w{n}",
                    "--batch",
                    "20",
                    "--lease",
                    "3",
                    "--until-drained",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(3)
        ]
        deadline = time.monotonic() + 60
        orphaned: set[str] = set()
        while time.monotonic() < deadline:
            crashed = [w for w in workers if w.poll() not in (None, 0)]
            assert not crashed, crashed[0].communicate()[1]
            if partner.total_received() >= TOTAL // 4:
                orphaned = held_by(pg_store, "w0")
                if orphaned:
                    break
            time.sleep(0.005)
        assert orphaned, "worker w0 never held a lease to be killed with"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        orphaned |= held_by(pg_store, "w0")  # anything it claimed in the last instant
        reports = []
        for worker in workers[1:]:
            out, err = worker.communicate(timeout=90)
            assert worker.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))

    counts = outbox.counts()
    assert counts[OutboxStatus.DELIVERED] == TOTAL, counts
    assert counts[OutboxStatus.PENDING] == counts[OutboxStatus.IN_FLIGHT] == 0  # none stranded
    assert counts[OutboxStatus.DEAD] == 0
    every_id = {f"m-{i:05d}" for i in range(TOTAL)}
    assert set(partner.received) == every_id
    assert all(partner.effects[m] == 1 for m in every_id)
    twice = {m for m, n in partner.received.items() if n > 1}
    assert twice <= orphaned, twice - orphaned
    assert all(n <= 2 for n in partner.received.values())
    assert sum(r["delivered"] for r in reports) >= len(orphaned)  # survivors took them over
