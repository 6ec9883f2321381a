"""Group commit for prepared SOAP submissions: many messages, one transaction, same outcome.

Why: a submission's own store work is a handful of small statements, but as one transaction
per message it also pays for opening the transaction, the audit chain's head lock, the commit
(an fsync) and, on PostgreSQL, a round trip per statement. Under load, request threads hand
their *prepared* messages (answer already worked out, see :class:`~.calls.Prepared`) to one
writer thread, which writes whatever is waiting in one transaction with one statement per
table: the replay keys, the inbox rows, the records, the audit entries. At low load a batch is
one message and nothing waits; each request is answered only after its batch committed, so
"durable before acknowledged" holds as before.

The outcome of every message is the one :func:`~.unit_of_work.apply` would give it alone:

* a replayed signature is refused and leaves nothing; a reused message id with another payload
  is an ``inbox.conflict`` and leaves nothing (its replay key is removed again); a repeat gets
  the first answer and a ``repeat`` audit entry;
* two messages of one batch never share a replay key or a (partner, message id): the later one
  waits for the next batch, so each sees the other's committed result as it would alone;
* the writer waits for companions only while other requests are on their way (PostgreSQL's
  ``commit_delay`` / ``commit_siblings`` idea): every request announces itself when the
  pipeline starts on it (:meth:`BatchWriter.expected`) and arrives with :meth:`write` or
  withdraws. With requests in flight, the writer waits up to ``GROUP_WAIT_SECONDS`` for them
  before it writes, so a loaded gateway writes fewer, larger batches (each batch costs ~10
  round trips to the store, whatever its size); alone, a message is written at once;
* if the batch transaction fails for any reason, each message of it is retried on its own with
  :func:`~.unit_of_work.apply`, which decides it exactly as without batching (a store outage
  then answers each with its own 503).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field

from lxml import etree

from gateway.audit.chain import AuditRecord
from gateway.delivery.inbox import Answered
from gateway.service.context import GatewayContext
from gateway.service.soap.calls import SCHEMA, InboundCall, OperationSpec, Prepared
from gateway.service.soap.replies import StoreUnavailable
from gateway.service.soap.unit_of_work import (
    REPEAT_OUTCOME,
    Applied,
    accepted_answer,
    apply,
    conflict_refusal,
    inbound_audit,
    replayed_fault,
    request_digest,
)
from gateway.store.replay import ReplayClaims
from gateway.xml import schemas
from gateway.xml.safe_parser import parse_xml

MAX_BATCH = 64  # messages per transaction; bounds the wait of the last one in a full batch
IDLE_SECONDS = 2.0  # the writer thread ends after this long without work (started on demand)
WAIT_SECONDS = 60.0  # a request waiting longer for its batch is answered 503 (retry later)
#: The longest a batch waits for requests still being verified and mapped (see above).
GROUP_WAIT_SECONDS = 0.002


@dataclass(slots=True)
class Expected:
    """A request announced to the writer (:meth:`BatchWriter.expected`), until it arrives."""

    arrived: bool = False


@dataclass(slots=True)
class BatchStats:
    """How the writer has been batching (for tests and the curious operator)."""

    batches: int = 0
    messages: int = 0
    largest: int = 0
    fallbacks: int = 0  # batches that failed and were redone message by message


@dataclass(eq=False, slots=True)
class _Item:
    call: InboundCall
    spec: OperationSpec
    claims: ReplayClaims
    prepared: Prepared
    digest: str
    answer: bytes  # the unsigned answer as stored in the inbox
    future: Future[Applied] = field(default_factory=Future)

    @property
    def inbox_key(self) -> tuple[str, str]:
        return (self.call.partner.name, self.call.message_id)

    @property
    def replay_keys(self) -> set[str]:
        return {key for key, _ in self.claims.pending}


class BatchWriter:
    """Writes prepared messages in shared transactions; :meth:`write` blocks until committed."""

    def __init__(self, context: GatewayContext, *, max_batch: int = MAX_BATCH) -> None:
        self._context = context
        self._max = max_batch
        self._queue: deque[_Item] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._coming = 0  # requests announced that have neither arrived nor withdrawn
        self.stats = BatchStats()

    @contextmanager
    def expected(self) -> Iterator[Expected]:
        """Announce a request for the whole of its processing; pass the token to :meth:`write`.

        A request that is refused before it reaches the writer withdraws on leaving."""
        token = Expected()
        with self._ready:
            self._coming += 1
        try:
            yield token
        finally:
            if not token.arrived:
                with self._ready:
                    self._coming -= 1
                    self._ready.notify()

    @property
    def waiting(self) -> int:
        """Messages queued for the next batch."""
        with self._ready:
            return len(self._queue)

    def write(
        self,
        call: InboundCall,
        spec: OperationSpec,
        claims: ReplayClaims,
        prepared: Prepared,
        expected: Expected | None = None,
    ) -> Applied:
        """Apply one prepared message; raises what :func:`~.unit_of_work.apply` would raise."""
        answer = prepared.handled.answer
        schemas.validate(SCHEMA, answer)  # a bug producing an invalid answer fails before writing
        item = _Item(
            call,
            spec,
            claims,
            prepared,
            request_digest(call.payload),
            etree.tostring(answer, encoding="UTF-8"),
        )
        with self._ready:
            self._queue.append(item)
            if expected is not None and not expected.arrived:
                expected.arrived = True
                self._coming -= 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="brug-soap-batch-writer", daemon=True
                )
                self._thread.start()
            self._ready.notify()
        try:
            return item.future.result(timeout=WAIT_SECONDS)
        except FutureTimeout:
            # The store is stuck (a lock held elsewhere, a hung connection): the message may
            # still be written later, which the partner's retry then finds in the inbox.
            raise StoreUnavailable(
                f"message {call.message_id} was not written within {WAIT_SECONDS:.0f} s"
            ) from None

    # -- the writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._ready:
                    if not self._queue:
                        self._ready.wait(IDLE_SECONDS)
                    if not self._queue:
                        self._thread = None  # a later write starts a new one
                        return
                    self._gather()
                    batch = self._take()
                self._process(batch)
        except BaseException as exc:  # never leave requests waiting on a dead thread
            with self._ready:
                self._thread = None
                waiting, self._queue = list(self._queue), deque()
            for item in waiting:
                item.future.set_exception(StoreUnavailable(f"the batch writer stopped: {exc!r}"))
            raise

    def _gather(self) -> None:
        """Wait (lock held, released while waiting) up to ``GROUP_WAIT_SECONDS`` for the
        requests still on their way, while the batch has room for them."""
        if self._coming <= 0:
            return
        deadline = time.monotonic() + GROUP_WAIT_SECONDS
        while self._coming > 0 and len(self._queue) < self._max:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._ready.wait(remaining)

    def _take(self) -> list[_Item]:
        """Up to ``max_batch`` waiting messages with distinct replay keys and message ids."""
        taken: list[_Item] = []
        later: list[_Item] = []
        keys: set[str] = set()
        ids: set[tuple[str, str]] = set()
        while self._queue and len(taken) < self._max:
            item = self._queue.popleft()
            if item.replay_keys & keys or item.inbox_key in ids:
                later.append(item)
                continue
            keys |= item.replay_keys
            ids.add(item.inbox_key)
            taken.append(item)
        self._queue.extendleft(reversed(later))
        return taken

    def _process(self, batch: list[_Item]) -> None:
        stats = self.stats
        stats.batches += 1
        stats.messages += len(batch)
        stats.largest = max(stats.largest, len(batch))
        try:
            outcomes = self._write(batch)
        except Exception:
            stats.fallbacks += 1
            for item in batch:  # each on its own: the reference path decides
                self._alone(item)
            return
        for item in batch:
            outcome = outcomes[item]
            if isinstance(outcome, Applied):
                item.future.set_result(outcome)
            else:
                item.future.set_exception(outcome)

    def _alone(self, item: _Item) -> None:
        try:
            item.future.set_result(apply(self._context, item.call, item.spec, item.claims))
        except BaseException as exc:  # handed to the request's thread, which answers it
            item.future.set_exception(exc)

    def _write(self, batch: list[_Item]) -> dict[_Item, Applied | Exception]:
        context = self._context
        outcomes: dict[_Item, Applied | Exception] = {}
        with context.store.transaction() as tx:
            entries = [entry for item in batch for entry in item.claims.pending]
            stored = context.replay.check_and_store_many(entries, tx=tx)
            live: list[_Item] = []
            for item in batch:
                if item.replay_keys <= stored:
                    live.append(item)
                else:
                    outcomes[item] = replayed_fault()
            inserted = context.inbox.record_answered(
                [Answered(*item.inbox_key, item.digest, item.answer) for item in live], tx=tx
            )
            known = context.inbox.known(
                [item.inbox_key for item in live if item.inbox_key not in inserted], tx=tx
            )
            fresh: list[_Item] = []
            for item in live:
                if item.inbox_key in inserted:
                    handled = item.prepared.handled
                    outcomes[item] = Applied(
                        handled.answer, handled.outcome, handled.accepted, False
                    )
                    fresh.append(item)
                    continue
                first = known.get(item.inbox_key)
                if first is None or not first.answered:
                    outcomes[item] = StoreUnavailable(
                        f"message {item.call.message_id} is still being processed"
                    )
                elif first.digest != item.digest:
                    outcomes[item] = conflict_refusal(item.call.message_id)
                else:
                    answer = parse_xml(first.answer or b"")  # brug's own stored bytes
                    outcomes[item] = Applied(answer, REPEAT_OUTCOME, accepted_answer(answer), True)
            context.records.insert_inbound(
                [row for item in fresh for row in item.prepared.inbound_records], tx=tx
            )
            context.audit.append_many(
                [
                    _audit(item, outcome)
                    for item in live
                    if isinstance(outcome := outcomes[item], Applied)
                ],
                tx=tx,
            )
            refused = [item for item in live if not isinstance(outcomes[item], Applied)]
            context.replay.forget([k for item in refused for k in item.replay_keys], tx=tx)
        return outcomes


def _audit(item: _Item, outcome: Applied) -> AuditRecord:
    insz = None if outcome.repeat else item.prepared.handled.insz
    return inbound_audit(item.call, item.spec.name, item.digest, outcome.outcome, insz)
