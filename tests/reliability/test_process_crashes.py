"""Delivery guarantees with real processes and sockets: SIGKILL, a partner outage, three
instances on one PostgreSQL. See docs/reliability.md for what each test proves.

Every gateway is ``python -m gateway serve`` on loopback with the demo's configuration; the
partner is the Brussels simulator as its own process, which deduplicates on the message id
(one stored record per id, however often it arrives). "Sent twice" below means the simulator
received a message id more than once: at-least-once delivery allows it, the dedup makes it
harmless, and the tests report how often it happened.

The gateways run with a 10 s delivery lease (``[delivery] lease`` in brug.toml, written by
``write_config``): the entries a killed instance held come back once their lease has passed,
which bounds these tests' running time from below.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from adapters.simulation.process import RunningProcess, free_port
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

pytestmark = pytest.mark.slow

#: The gateways' delivery lease (support.LEASE) plus a margin.
LEASE_WAIT = LEASE.total_seconds() + 30.0
#: Per-request latency at the simulator: keeps delivery running long enough to kill into it.
LATENCY_MS = 8


def assert_exactly_once(sim: RunningProcess, accepted: list[str]) -> int:
    """Every accepted id stored once at the partner and nothing else stored; returns how many
    ids were *sent* more than once."""
    view = partner_view(sim)
    missing = [m for m in accepted if view.stored.get(m, 0) != 1]
    assert not missing, f"{len(missing)} accepted messages not stored exactly once: {missing[:5]}"
    assert view.stored_total == len(accepted), (view.stored_total, len(accepted))
    for message_id in accepted[:: max(1, len(accepted) // 20)]:  # the per-id admin view agrees
        assert sim.received(message_id)["stored"] == 1
    return len(view.sent_more_than_once(accepted))


@pytest.mark.timeout(200)
def test_sigkill_mid_delivery_then_restart_delivers_each_accepted_message_once(
    workdir: Path, pki: PkiLayout, record_property: Any
) -> None:
    with brussels_simulator(workdir, pki) as sim:
        port = free_port()
        config = write_config(workdir, pki, port, sim.service_url)
        first = GatewayProcess(config, port, workdir / "gateway-1.log")
        second = GatewayProcess(config, port, workdir / "gateway-2.log")
        with gateways(first, second):
            sim.set_faults(latency_ms=LATENCY_MS)
            first.start()
            backend = Backend(first.url, pki)
            try:
                results = backend.bulk(sample_lines(2000))
            finally:
                backend.close()
            accepted = accepted_ids(results)
            assert len(accepted) > 1500
            # Kill while the delivery loop is sending (some delivered, most not yet).
            wait_until(lambda: stored_total(sim) >= 200, timeout=60, what="delivery to start")
            first.kill()
            at_kill = stored_total(sim)
            assert 0 < at_kill < len(accepted), "the kill must land mid-delivery"
            counts = outbox_counts(f"sqlite:///{workdir / 'brug.db'}")
            assert sum(counts.values()) == len(accepted), counts  # all acknowledged are stored

            sim.clear_faults()
            second.start()  # the same store; its leases are the killed process's until expiry
            waited = wait_until(
                lambda: unfinished(f"sqlite:///{workdir / 'brug.db'}") == 0,
                timeout=LEASE_WAIT + 60,
                what="the outbox to drain after the restart",
            )
            final = outbox_counts(f"sqlite:///{workdir / 'brug.db'}")
            assert final["delivered"] == len(accepted), final
            twice = assert_exactly_once(sim, accepted)
            record_property("accepted", len(accepted))
            record_property("stored_at_kill", at_kill)
            record_property("sent_twice", twice)
            record_property("drain_after_restart_s", round(waited, 1))
            print(
                f"\nSIGKILL test: {len(accepted)} accepted, {at_kill} stored at the kill, "
                f"{twice} sent twice, drained {waited:.1f}s after restart"
            )
            assert twice <= 50  # at most one claimed batch (DeliveryWorker batch_size)


@pytest.mark.timeout(120)
def test_brussels_down_when_the_batch_starts_everything_delivered_after_it_returns(
    workdir: Path, pki: PkiLayout, record_property: Any
) -> None:
    outage = 8.0
    with brussels_simulator(workdir, pki) as sim:
        port, metrics_port = free_port(), free_port()
        config = write_config(workdir, pki, port, sim.service_url, metrics_port=metrics_port)
        gateway = GatewayProcess(config, port, workdir / "gateway.log")
        with gateways(gateway):
            gateway.start()
            sim.set_faults(down_for_seconds=outage)
            metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
            backend = Backend(gateway.url, pki, metrics_url=metrics_url)
            try:
                accepted = accepted_ids(backend.bulk(sample_lines(300, seed=7)))
                assert len(accepted) > 200
                assert stored_total(sim) == 0  # still down: nothing got through
                waited = wait_until(
                    lambda: stored_total(sim) == len(accepted),
                    timeout=outage + 60,
                    what="delivery after Brussels came back",
                )
                retries = backend.metric("brug_retries_total")
                assert backend.outbox(status="pending")["total"] == 0
                assert backend.outbox(status="dead")["total"] == 0
            finally:
                backend.close()
        assert retries > 0
        assert unfinished(f"sqlite:///{workdir / 'brug.db'}") == 0
        assert_exactly_once(sim, accepted)
        record_property("retries", retries)
        print(f"\noutage test: {len(accepted)} accepted, {retries:.0f} retries, {waited:.1f}s")


@pytest.mark.postgres
@pytest.mark.timeout(220)
def test_three_instances_on_one_postgresql_one_killed_nothing_lost_nothing_stored_twice(
    workdir: Path, pki: PkiLayout, pg_db: str, record_property: Any
) -> None:
    with brussels_simulator(workdir, pki) as sim:
        instances = []
        for i in range(3):
            port = free_port()
            config = write_config(
                workdir, pki, port, sim.service_url, store_url=pg_db, name=f"brug-{i}"
            )
            instances.append(GatewayProcess(config, port, workdir / f"gateway-{i}.log"))
        with gateways(*instances):
            instances[0].start()  # migrates the database; the others find it current
            for instance in instances[1:]:
                instance.start()
            sim.set_faults(latency_ms=LATENCY_MS)
            lines = sample_lines(3000, seed=11)
            thirds = [lines[i::3] for i in range(3)]
            results: list[list[dict[str, Any]]] = [[], [], []]
            errors: list[BaseException] = []

            def submit(index: int) -> None:
                backend = Backend(instances[index].url, pki)
                try:
                    results[index] = backend.bulk(thirds[index])
                except BaseException as exc:  # reported below, in the test's thread
                    errors.append(exc)
                finally:
                    backend.close()

            threads = [threading.Thread(target=submit, args=(i,)) for i in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            assert not errors, errors
            accepted = [m for r in results for m in accepted_ids(r)]
            assert len(accepted) > 2200

            wait_until(lambda: stored_total(sim) >= 600, timeout=60, what="delivery to start")
            victim = instances[1]
            victim.kill()
            at_kill = stored_total(sim)
            assert at_kill < len(accepted), "the kill must land mid-delivery"
            sim.clear_faults()
            waited = wait_until(
                lambda: unfinished(pg_db) == 0,
                timeout=LEASE_WAIT + 60,
                what="the survivors to drain the outbox (after the victim's leases expired)",
            )
            final = outbox_counts(pg_db)
            assert final["delivered"] == len(accepted), final
            assert final["dead"] == 0
        twice = assert_exactly_once(sim, accepted)
        record_property("accepted", len(accepted))
        record_property("stored_at_kill", at_kill)
        record_property("sent_twice", twice)
        print(
            f"\nthree instances: {len(accepted)} accepted, {at_kill} stored at the kill, "
            f"{twice} sent twice, drained {waited:.1f}s after the kill"
        )
        assert twice <= 50  # at most the victim's claimed batch
