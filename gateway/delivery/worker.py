"""A delivery worker: claim a batch, send each entry, record every outcome in one commit.

The worker holds no state that matters across a crash: schedules live in ``next_attempt_at``,
ownership in the lease. Killing it at any point loses nothing; at worst the entries it had sent
but not yet recorded are sent again after their lease expires (at-least-once delivery; each
re-send is signed afresh, and partners deduplicate on the message id).

What happens after a send follows the attempt's verdict (:mod:`gateway.soap.outcome`):

* before anything is sent, each attempt's signature and Timestamp are written to the audit log
  (``attempt N: sending``);
* delivered: the answer is recorded, with the answer's replay-cache claims and the attempt's
  outcome in the audit log (``attempt N: delivered``), in one transaction;
* transient (the partner is down, busy, or the Timestamp expired): retried with capped
  exponential backoff until the partner's ``max_age``; no attempt limit, because waiting out an
  outage is what the outbox is for;
* permanent (the partner refused the message itself): dead-lettered at once;
* unknown (an answer brug cannot trust or read, or a bug): retried, at most ``max_attempts``.

Recording is retried while the store is unavailable: an answer that was received is never
turned into a re-send by a local storage error (unless the worker is stopped meanwhile; then
the lease passes and the entry is sent again, which the partner deduplicates).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.audit.chain import AuditRecord
from gateway.audit.log import AuditLog
from gateway.delivery.circuit import CircuitBreaker, CircuitState
from gateway.delivery.entries import OutboxEntry
from gateway.delivery.outbox import Outbox, Outcome
from gateway.delivery.policy import DeliveryPolicy
from gateway.delivery.transport import Attempt, Transport
from gateway.soap.outcome import Verdict, short
from gateway.store.clock import Clock
from gateway.wssecurity.signer import SignedMessage

log = logging.getLogger(__name__)

# Stop starting new sends this long before the lease ends: a send that outlives the lease may
# be duplicated by the worker that takes the entry over.
LEASE_SAFETY_MARGIN = timedelta(seconds=1)
#: Waits between tries to record outcomes while the store is unavailable (then the last one).
RECORD_RETRY_WAITS = (0.2, 0.5, 1.0, 2.0, 5.0)
#: Outcome kind -> the WorkerReport counter it adds to (a release counts as released).
_COUNTED = {"delivered": "delivered", "retry": "retried", "dead": "dead"}
REPLAYED_ANSWER = "the partner's answer carries a signature already seen (replayed answer)"


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
    #: delivered / retried / dead per partner (metrics are labelled by partner)
    by_partner: dict[tuple[str, str], int] = field(default_factory=dict)

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
        for key, count in other.by_partner.items():
            self.by_partner[key] = self.by_partner.get(key, 0) + count


@dataclass(slots=True)
class _Plan:
    """One claimed entry on its way: decided without sending, or signed and to be sent."""

    entry: OutboxEntry
    outcome: Outcome | None = None  # set once its fate is known
    signed: SignedMessage | None = None  # set when an attempt is to be (or was) made
    attempt: Attempt | None = None  # set once sent


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        *,
        clock: Clock,
        policy: DeliveryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        audit: AuditLog | None = None,
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
        self.audit = audit
        self.owner = owner or default_owner()
        self.batch_size = batch_size
        self.lease = lease
        self.concurrency = concurrency
        self._stop = threading.Event()

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
        plans = [self._plan(e) for e in entries]
        # What is about to leave is in the audit log before it leaves (write-ahead): a process
        # killed mid-send still leaves the proof of every signature it may have sent.
        self._audit(
            [self._audit_record(p, "sending") for p in plans if p.signed is not None], tx=None
        )
        to_send = [p for p in plans if p.outcome is None]
        if self.concurrency > 1 and len(to_send) > 1:
            with ThreadPoolExecutor(self.concurrency) as pool:
                list(pool.map(self._send, to_send))
        else:
            for plan in to_send:
                self._send(plan)
        recorded = self._record(plans)
        if recorded is None:  # stopped while the store was down: the leases will pass
            return report
        applied, outcomes = recorded
        report.lost_leases = len(outcomes) - applied
        for plan, outcome in zip(plans, outcomes, strict=True):
            kind = _COUNTED.get(outcome.kind)
            if kind is None:
                report.released += 1
                continue
            setattr(report, kind, getattr(report, kind) + 1)
            key = (plan.entry.partner, kind)
            report.by_partner[key] = report.by_partner.get(key, 0) + 1
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
        if stop is not None:
            self._stop = stop
        total = WorkerReport()
        while not self._stop.is_set():
            report = self.run_once()
            total.add(report)
            if on_batch is not None and report.claimed:
                on_batch(report)
            if report.claimed == 0:
                if until_drained and not self.outbox.has_unfinished():
                    break
                self._stop.wait(idle_sleep)
        return total

    # -- deciding ------------------------------------------------------------------------

    def _plan(self, entry: OutboxEntry) -> _Plan:
        """Decide what can be decided without sending; sign the rest (never raises)."""
        now = self.clock()
        policy = self.policy.for_partner(entry.partner)
        age = now - entry.created_at
        if age > policy.max_age:
            error = f"age limit: {age} old, more than {policy.max_age}"
            return _Plan(entry, Outcome(entry.id, "dead", error=error))
        if not self.breaker.allow(entry.partner):
            retry_at = self.breaker.retry_at(entry.partner)
            return _Plan(entry, Outcome(entry.id, "release", next_attempt_at=retry_at))
        try:
            signed = self.transport.prepare(entry)
        except Exception as exc:  # a transport bug must delay, not lose, the message
            log.exception("transport failed to prepare entry %s", entry.id)
            signed = Attempt(Verdict.UNKNOWN, short(f"unexpected {type(exc).__name__}: {exc}"))
        if isinstance(signed, Attempt):
            return _Plan(entry, self._decide(entry, signed), attempt=signed)
        return _Plan(entry, signed=signed)

    def _send(self, plan: _Plan) -> None:
        """Send one signed entry and decide its fate (never raises)."""
        entry, signed = plan.entry, plan.signed
        assert signed is not None
        lease_end = entry.lease_expires_at
        if lease_end is not None and self.clock() >= lease_end - LEASE_SAFETY_MARGIN:
            plan.outcome = Outcome(entry.id, "release", next_attempt_at=self.clock())
            return
        if self.breaker.state(entry.partner) is CircuitState.OPEN:  # opened by this batch
            retry_at = self.breaker.retry_at(entry.partner)
            plan.outcome = Outcome(entry.id, "release", next_attempt_at=retry_at)
            return
        try:
            attempt = self.transport.send(entry, signed)
        except Exception as exc:  # a transport bug must delay, not lose, the message
            log.exception("transport raised an unexpected error for entry %s", entry.id)
            attempt = Attempt(
                Verdict.UNKNOWN, short(f"unexpected {type(exc).__name__}: {exc}"), sent=signed
            )
        plan.attempt = attempt
        plan.outcome = self._decide(entry, attempt)

    def _decide(self, entry: OutboxEntry, attempt: Attempt) -> Outcome:
        verdict = attempt.verdict
        if verdict is Verdict.DELIVERED:
            if self.breaker.record_success(entry.partner):
                # The partner answers again after an open circuit: what waited for it is due now.
                woken = self.outbox.wake(entry.partner)
                log.info("%s answers again; %d waiting entries are due now", entry.partner, woken)
            return Outcome(entry.id, "delivered", answer=attempt.answer)
        reason = attempt.reason or verdict.value
        if verdict is Verdict.PERMANENT:
            self.breaker.record_success(entry.partner)  # it answered: it is up
            return Outcome(entry.id, "dead", error=f"refused by partner: {reason}")
        self.breaker.record_failure(entry.partner)
        policy = self.policy.for_partner(entry.partner)
        if verdict is Verdict.UNKNOWN and entry.attempts >= policy.max_attempts:
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

    # -- recording -----------------------------------------------------------------------

    def _record(self, plans: Sequence[_Plan]) -> tuple[int, list[Outcome]] | None:
        """Record the batch's outcomes; retried while the store is unavailable.

        Returns (entries that still held the lease, outcomes as recorded), or None when the
        worker was stopped before the store came back.
        """
        waits = iter(RECORD_RETRY_WAITS)
        wait = 0.0
        final: list[Outcome] = []

        def prepare(tx: Session, planned: Sequence[Outcome]) -> list[Outcome]:
            final[:] = self._settle_in(tx, plans, planned)
            return final

        planned = [p.outcome for p in plans if p.outcome is not None]
        assert len(planned) == len(plans)
        while True:
            try:
                applied = self.outbox.record(self.owner, planned, prepare=prepare)
                return applied, final
            except SQLAlchemyError as exc:
                wait = next(waits, wait)
                log.warning(
                    "cannot record %d delivery outcomes (%s); retrying in %.1f s",
                    len(plans),
                    type(exc).__name__,
                    wait,
                )
                if self._stop.wait(wait):
                    return None

    def _settle_in(
        self, tx: Session, plans: Sequence[_Plan], planned: Sequence[Outcome]
    ) -> list[Outcome]:
        """In the recording transaction: store the answers' replay claims, audit the outcomes
        of the attempts that were signed.

        A delivered answer whose signature was already seen is not a delivery: it becomes an
        unknown outcome (retried, within the attempt limit).
        """
        final: list[Outcome] = []
        records: list[AuditRecord] = []
        for plan, outcome in zip(plans, planned, strict=True):
            attempt = plan.attempt
            if (
                outcome.kind == "delivered"
                and attempt is not None
                and attempt.claims is not None
                and not attempt.claims.settle(tx)
            ):
                outcome = self._decide(
                    plan.entry, replace(attempt, verdict=Verdict.UNKNOWN, reason=REPLAYED_ANSWER)
                )
            final.append(outcome)
            if plan.signed is not None:
                kind = "withdrawn" if outcome.kind == "release" else outcome.kind
                records.append(self._audit_record(plan, kind))
        self._audit(records, tx=tx)
        return final

    def _audit_record(self, plan: _Plan, what: str) -> AuditRecord:
        entry, signed = plan.entry, plan.signed
        return AuditRecord(
            partner=entry.partner,
            operation=entry.operation,
            direction="out",
            message_id=entry.message_id,
            digest=entry.digest,
            outcome=f"attempt {entry.attempts}: {what}",
            signature_value=None if signed is None else signed.signature_value,
            sent_at=None if signed is None else signed.created,
        )

    def _audit(self, records: Sequence[AuditRecord], *, tx: Session | None) -> None:
        if self.audit is not None and records:
            self.audit.append_many(records, tx=tx)
