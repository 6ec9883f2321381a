"""A delivery worker: claim a batch, send each entry, record every outcome in one commit.

The worker holds no state that matters across a crash: schedules live in ``next_attempt_at``,
ownership in the lease. Killing it at any point loses nothing; at worst the entries it had sent
but not yet recorded are sent again after their lease expires (at-least-once delivery).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from gateway.delivery.circuit import CircuitBreaker
from gateway.delivery.entries import OutboxEntry
from gateway.delivery.errors import PermanentDeliveryError, TransientDeliveryError
from gateway.delivery.outbox import Outbox, Outcome
from gateway.delivery.policy import DeliveryPolicy
from gateway.delivery.transport import Transport
from gateway.store.clock import Clock

log = logging.getLogger(__name__)

# Stop starting new sends this long before the lease ends: a send that outlives the lease may
# be duplicated by the worker that takes the entry over.
LEASE_SAFETY_MARGIN = timedelta(seconds=1)


def default_owner() -> str:
    """Unique per worker instance, readable by an operator (host and pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(slots=True)
class WorkerReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0
    lost_leases: int = 0
    batches: int = field(default=0)

    def add(self, other: WorkerReport) -> None:
        for name in (
            "claimed",
            "delivered",
            "retried",
            "dead",
            "released",
            "lost_leases",
            "batches",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        *,
        clock: Clock,
        policy: DeliveryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        owner: str | None = None,
        batch_size: int = 50,
        lease: timedelta = timedelta(seconds=60),
        concurrency: int = 1,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.clock = clock
        self.policy = policy or DeliveryPolicy()
        self.breaker = breaker or CircuitBreaker(self.policy, clock=clock)
        self.owner = owner or default_owner()
        self.batch_size = batch_size
        self.lease = lease
        self.concurrency = concurrency

    def run_once(self) -> WorkerReport:
        """Claim one batch and settle it; ``claimed == 0`` means nothing was due."""
        report = WorkerReport()
        entries = self.outbox.claim_batch(
            self.owner,
            self.batch_size,
            self.lease,
            exclude_partners=self.breaker.open_partners(),
        )
        if not entries:
            return report
        report.claimed = len(entries)
        report.batches = 1
        if self.concurrency > 1:
            with ThreadPoolExecutor(self.concurrency) as pool:
                outcomes = list(pool.map(self._settle, entries))
        else:
            outcomes = [self._settle(e) for e in entries]
        applied = self.outbox.record(self.owner, outcomes)
        report.lost_leases = len(outcomes) - applied
        for outcome in outcomes:
            if outcome.kind == "delivered":
                report.delivered += 1
            elif outcome.kind == "retry":
                report.retried += 1
            elif outcome.kind == "dead":
                report.dead += 1
            else:
                report.released += 1
        return report

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        idle_sleep: float = 0.2,
        until_drained: bool = False,
        on_batch: Callable[[WorkerReport], None] | None = None,
    ) -> WorkerReport:
        """Loop until ``stop`` is set (or, with ``until_drained``, nothing is left to do)."""
        stop = stop or threading.Event()
        total = WorkerReport()
        while not stop.is_set():
            report = self.run_once()
            total.add(report)
            if on_batch is not None and report.claimed:
                on_batch(report)
            if report.claimed == 0:
                if until_drained and not self.outbox.has_unfinished():
                    break
                stop.wait(idle_sleep)
        return total

    def _settle(self, entry: OutboxEntry) -> Outcome:
        """Decide one entry's fate; never raises (an unexpected error counts as transient)."""
        now = self.clock()
        policy = self.policy.for_partner(entry.partner)
        age = now - entry.created_at
        if age > policy.max_age:
            return Outcome(
                entry.id, "dead", error=f"age limit: {age} old, more than {policy.max_age}"
            )
        lease_end = entry.lease_expires_at
        if lease_end is not None and now >= lease_end - LEASE_SAFETY_MARGIN:
            return Outcome(entry.id, "release", next_attempt_at=now)
        if not self.breaker.allow(entry.partner):
            return Outcome(
                entry.id, "release", next_attempt_at=self.breaker.retry_at(entry.partner)
            )
        try:
            answer = self.transport.send(entry)
        except PermanentDeliveryError as exc:
            self.breaker.record_success(entry.partner)  # it answered: it is up
            return Outcome(entry.id, "dead", error=f"refused by partner: {exc.reason}")
        except TransientDeliveryError as exc:
            return self._transient(entry, exc.reason)
        except Exception as exc:  # a transport bug must delay, not lose, the message
            log.exception("transport raised an unexpected error for entry %s", entry.id)
            return self._transient(entry, f"unexpected {type(exc).__name__}: {exc}")
        self.breaker.record_success(entry.partner)
        return Outcome(entry.id, "delivered", answer=answer)

    def _transient(self, entry: OutboxEntry, reason: str) -> Outcome:
        self.breaker.record_failure(entry.partner)
        policy = self.policy.for_partner(entry.partner)
        if entry.attempts >= policy.max_attempts:
            return Outcome(
                entry.id, "dead", error=f"gave up after {entry.attempts} attempts: {reason}"
            )
        next_at = self.clock() + policy.backoff(entry.attempts)
        if next_at - entry.created_at > policy.max_age:
            return Outcome(
                entry.id,
                "dead",
                error=f"age limit {policy.max_age} reached before the next attempt: {reason}",
            )
        return Outcome(entry.id, "retry", error=reason, next_attempt_at=next_at)
