"""DeliveryWorker: backoff stored not slept, limits to dead letter, the circuit breaker."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from gateway.audit.log import AuditLog
from gateway.delivery import (
    Attempt,
    CircuitBreaker,
    CircuitState,
    DeliveryPolicy,
    DeliveryWorker,
    Outbox,
    OutboxEntry,
    OutboxStatus,
    PartnerPolicy,
)
from gateway.soap.outcome import Verdict
from gateway.store import Store
from gateway.store.replay import ReplayClaims, SqlReplayCache
from gateway.store.tables import AuditEntryRow
from gateway.wssecurity.signer import SignedMessage
from tests.delivery.helpers import ScriptedTransport, envelope
from tests.support.store import FakeClock

POLICY = PartnerPolicy(
    max_attempts=4,
    max_age=timedelta(hours=1),
    backoff_initial=timedelta(seconds=10),
    backoff_max=timedelta(seconds=60),
    backoff_jitter=timedelta(seconds=2),
    breaker_failures=3,
    breaker_reset=timedelta(seconds=30),
    breaker_reset_initial=timedelta(seconds=30),
)


def make_worker(
    store: Store, clock: FakeClock, transport: ScriptedTransport, **policies: PartnerPolicy
) -> DeliveryWorker:
    return DeliveryWorker(
        Outbox(store),
        transport,
        clock=clock,
        policy=DeliveryPolicy(default=POLICY, partners=policies),
        owner="w1",
        batch_size=10,
        lease=timedelta(seconds=30),
    )


def put(store: Store, *ids: str, partner: str = "bev") -> None:
    outbox = Outbox(store)
    for message_id in ids:
        outbox.enqueue(
            partner=partner, message_id=message_id, operation="op", payload=envelope(message_id)
        )


def test_backoff_schedule_is_exponential_with_bounded_jitter() -> None:
    for attempt, base in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = {POLICY.backoff(attempt).total_seconds() for _ in range(30)}
        assert all(base <= d <= min(base + 2, 60) or d == 60 for d in delays), (attempt, delays)
        if base < 60:
            assert len(delays) > 1  # jitter spreads retries that failed together


def test_delivery_records_the_partner_answer(store: Store, clock: FakeClock) -> None:
    put(store, "m-1")
    report = make_worker(store, clock, ScriptedTransport("ok")).run_once()
    assert (report.claimed, report.delivered) == (1, 1)
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.DELIVERED
    assert entry.partner_answer == b"<ack>m-1</ack>" and entry.delivered_at == clock()


def test_transient_failure_stores_next_attempt_instead_of_sleeping(
    store: Store, clock: FakeClock
) -> None:
    put(store, "m-1")
    transport = ScriptedTransport("transient", "transient", "ok")
    worker = make_worker(store, clock, transport)
    start = clock()
    assert worker.run_once().retried == 1
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.PENDING and entry.attempts == 1
    assert "503" in (entry.last_error or "")
    assert start + timedelta(seconds=10) <= entry.next_attempt_at <= start + timedelta(seconds=12)
    assert worker.run_once().claimed == 0  # not due yet: nothing is sent early
    clock.advance(timedelta(seconds=12))
    worker.run_once()
    (entry,) = Outbox(store).list()
    assert entry.attempts == 2
    assert clock() + timedelta(seconds=20) <= entry.next_attempt_at
    clock.advance(timedelta(seconds=30))
    # A *new* worker (a restarted process) picks the schedule up from the database.
    assert make_worker(store, clock, transport).run_once().delivered == 1
    assert transport.sent == ["m-1"] * 3


def test_attempt_limit_applies_to_unknown_failures_only(store: Store, clock: FakeClock) -> None:
    put(store, "m-1")
    worker = make_worker(store, clock, ScriptedTransport(*["unknown"] * 10))
    for _ in range(4):
        worker.run_once()
        clock.advance(timedelta(minutes=2))
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.DEAD and entry.attempts == 4
    assert entry.last_error is not None and entry.last_error.startswith("gave up after 4")


def test_transient_failures_have_no_attempt_limit_only_the_age_limit(
    store: Store, clock: FakeClock
) -> None:
    put(store, "m-1")
    # max_attempts is 4, but a partner that is down is waited for until max_age (1 h).
    worker = make_worker(store, clock, ScriptedTransport(*["transient"] * 20))
    for _ in range(10):
        worker.run_once()
        clock.advance(timedelta(minutes=2))
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.PENDING and entry.attempts == 10


def test_age_limit_dead_letters_without_sending(store: Store, clock: FakeClock) -> None:
    put(store, "m-1")
    transport = ScriptedTransport()
    clock.advance(timedelta(hours=2))
    assert make_worker(store, clock, transport).run_once().dead == 1
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.DEAD and "age limit" in (entry.last_error or "")
    assert transport.sent == []


def test_age_limit_stops_retries_that_would_come_too_late(store: Store, clock: FakeClock) -> None:
    put(store, "m-1")
    short = PartnerPolicy(max_age=timedelta(seconds=5), backoff_initial=timedelta(seconds=10))
    worker = make_worker(store, clock, ScriptedTransport("transient"), bev=short)
    assert worker.run_once().dead == 1
    (entry,) = Outbox(store).list()
    assert "before the next attempt" in (entry.last_error or "")


@pytest.mark.parametrize("step", ["permanent"])
def test_permanent_refusal_dead_letters_at_once(store: Store, clock: FakeClock, step: str) -> None:
    put(store, "m-1")
    assert make_worker(store, clock, ScriptedTransport(step)).run_once().dead == 1
    (entry,) = Outbox(store).list()
    assert entry.attempts == 1 and "refused by partner" in (entry.last_error or "")


def test_a_transport_bug_delays_but_never_loses(store: Store, clock: FakeClock) -> None:
    """An exception from a transport is an unknown outcome: retried, within the attempt limit."""
    put(store, "m-1")
    assert make_worker(store, clock, ScriptedTransport("crash")).run_once().retried == 1
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.PENDING and "RuntimeError" in (entry.last_error or "")


def test_circuit_opens_then_half_opens_and_closes(store: Store, clock: FakeClock) -> None:
    put(store, *[f"bev-{i}" for i in range(6)])
    put(store, "cb-1", partner="career-break")
    transport = ScriptedTransport("transient", "transient", "transient")
    worker = make_worker(store, clock, transport)
    report = worker.run_once()
    # Three failures open the circuit: the other bev entries go back unsent, attempt refunded.
    assert worker.breaker.state("bev") is CircuitState.OPEN
    assert transport.sent.count("cb-1") == 1  # another partner is not affected
    assert (report.retried, report.released, report.delivered) == (3, 3, 1)
    released = [e for e in Outbox(store).list() if e.attempts == 0]
    assert len(released) == 3
    assert all(e.next_attempt_at == clock() + timedelta(seconds=30) for e in released)
    clock.advance(timedelta(seconds=20))
    assert worker.run_once().claimed == 0  # open: bev is not even claimed
    clock.advance(timedelta(seconds=15))
    assert worker.breaker.state("bev") is CircuitState.HALF_OPEN
    before = len(transport.sent)
    report = worker.run_once()  # one trial goes out, it succeeds, the circuit closes
    assert transport.sent[before].startswith("bev-")
    assert worker.breaker.state("bev") is CircuitState.CLOSED
    clock.advance(timedelta(minutes=5))
    worker.run_once()
    assert Outbox(store).counts()[OutboxStatus.DELIVERED] == 7


def test_half_open_trial_failure_reopens() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(DeliveryPolicy(default=POLICY), clock=clock)
    for _ in range(3):
        breaker.record_failure("bev")
    assert not breaker.allow("bev") and breaker.open_partners() == ["bev"]
    clock.advance(timedelta(seconds=31))
    assert breaker.allow("bev")  # the single trial
    assert not breaker.allow("bev")  # nobody else while it is out
    breaker.record_failure("bev")
    assert breaker.state("bev") is CircuitState.OPEN
    assert breaker.retry_at("bev") == clock() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=31))
    assert breaker.allow("bev")
    breaker.record_success("bev")
    assert breaker.state("bev") is CircuitState.CLOSED and breaker.open_partners() == []


def test_entries_are_released_when_the_lease_is_nearly_over(store: Store, clock: FakeClock) -> None:
    put(store, "m-1", "m-2")
    transport = ScriptedTransport()
    # The first send takes (fake) 29.5 s of a 30 s lease: the second must not start.
    transport.on_send = lambda _entry: clock.advance(timedelta(seconds=29.5))
    report = make_worker(store, clock, transport).run_once()
    assert (report.delivered, report.released) == (1, 1)
    assert transport.sent == ["m-1"]


class _Outage:
    """A partner that is down until ``until`` (fake time), then answers every message."""

    def __init__(self, clock: FakeClock, until: datetime) -> None:
        self.clock, self.until = clock, until
        self.inner = ScriptedTransport()
        self.tries = 0

    def prepare(self, entry: OutboxEntry) -> SignedMessage:
        return self.inner.prepare(entry)

    def send(self, entry: OutboxEntry, signed: SignedMessage) -> Attempt:
        self.tries += 1
        if self.clock() < self.until:
            return Attempt(Verdict.TRANSIENT, "ConnectError: connection refused", sent=signed)
        return self.inner.send(entry, signed)


def test_a_36_hour_outage_loses_nothing_and_dead_letters_nothing(
    store: Store, clock: FakeClock
) -> None:
    """Default policy (2 days, 30 min backoff cap, 30 s breaker): a weekend-long outage."""
    ids = [f"m-{i}" for i in range(30)]
    put(store, *ids)
    start = clock()
    partner = _Outage(clock, until=start + timedelta(hours=36))
    worker = DeliveryWorker(
        Outbox(store), partner, clock=clock, policy=DeliveryPolicy(), owner="w1", batch_size=50
    )
    step = timedelta(minutes=3)  # the worker polls every 3 min of fake time
    while clock() < start + timedelta(hours=36, minutes=10):
        worker.run_once()
        clock.advance(step)
    counts = Outbox(store).counts()
    assert counts[OutboxStatus.DEAD] == 0
    assert counts[OutboxStatus.DELIVERED] == len(ids), counts
    assert sorted(partner.inner.sent) == sorted(ids)  # each delivered once
    # While the circuit was open nothing was sent but one trial per poll: no storm of retries.
    assert partner.tries <= 36 * 20 + len(ids) * 5, partner.tries


def test_half_open_trial_success_makes_the_waiting_entries_due_at_once(
    store: Store, clock: FakeClock
) -> None:
    put(store, *[f"m-{i}" for i in range(5)])
    quick = PartnerPolicy(
        breaker_failures=1,
        breaker_reset=timedelta(seconds=30),
        breaker_reset_initial=timedelta(seconds=1),
        backoff_initial=timedelta(minutes=10),
        backoff_max=timedelta(minutes=30),
    )
    transport = ScriptedTransport("transient")
    worker = make_worker(store, clock, transport, bev=quick)
    worker.run_once()  # m-0 fails: circuit opens for 1 s; m-0 backs off 10 min
    assert worker.breaker.state("bev") is CircuitState.OPEN
    clock.advance(timedelta(seconds=2))  # half-open after the first (short) cool-down
    worker.run_once()  # the trial succeeds: everything waiting is due now, m-0 included
    worker.run_once()
    assert Outbox(store).counts()[OutboxStatus.DELIVERED] == 5


def test_cool_down_grows_with_failed_trials_up_to_the_maximum() -> None:
    clock = FakeClock()
    policy = PartnerPolicy(
        breaker_failures=1,
        breaker_reset=timedelta(seconds=30),
        breaker_reset_initial=timedelta(seconds=1),
    )
    breaker = CircuitBreaker(DeliveryPolicy(default=policy), clock=clock)
    waits = []
    breaker.record_failure("bev")
    for _ in range(7):
        waits.append((breaker.retry_at("bev") - clock()).total_seconds())
        clock.advance(breaker.retry_at("bev") - clock())
        assert breaker.allow("bev")  # the trial
        breaker.record_failure("bev")
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert breaker.record_success("bev") is True  # closing an open circuit says so
    assert breaker.record_success("bev") is False


def test_an_answer_with_a_replayed_signature_is_not_a_delivery(
    store: Store, clock: FakeClock
) -> None:
    put(store, "m-1")
    cache = SqlReplayCache(store)
    assert cache.check_and_store("answer-signature", clock() + timedelta(minutes=5))

    class ReplayedAnswer(ScriptedTransport):
        def send(self, entry: OutboxEntry, signed: SignedMessage) -> Attempt:
            attempt = super().send(entry, signed)
            claims = ReplayClaims(cache)
            claims.pending.append(("answer-signature", clock() + timedelta(minutes=5)))
            return replace(attempt, claims=claims)

    assert make_worker(store, clock, ReplayedAnswer()).run_once().retried == 1
    (entry,) = Outbox(store).list()
    assert entry.status is OutboxStatus.PENDING and "replayed" in (entry.last_error or "")


def test_each_attempt_is_audited_before_and_after_sending(store: Store, clock: FakeClock) -> None:
    put(store, "m-1")
    worker = make_worker(store, clock, ScriptedTransport("transient", "ok"))
    worker.audit = AuditLog(store)
    worker.run_once()
    clock.advance(timedelta(minutes=1))
    worker.run_once()
    with store.transaction() as tx:
        rows = tx.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)).all()
    assert [(r.outcome, r.signature_value) for r in rows] == [
        ("attempt 1: sending", "sig-m-1-1"),
        ("attempt 1: retry", "sig-m-1-1"),
        ("attempt 2: sending", "sig-m-1-2"),
        ("attempt 2: delivered", "sig-m-1-2"),
    ]
    assert all(r.sent_at == "2026-03-02T09:00:00.000Z" for r in rows)
