"""From a Flemish VOV registration to an unsigned BEV message in the outbox, once.

Shared by the single and the bulk endpoint so that both accept exactly the same records and
leave exactly the same trace. The work is split in two on purpose:

* :meth:`Submissions.prepare` does everything that can fail on the input or is CPU-bound
  (validation, routing and mapping, building the envelope) *outside* any transaction: on SQLite
  a write transaction holds the only write lock;
* :meth:`Submissions.commit` then writes, in the caller's unit of work, the outbox entry (the
  unsigned envelope: the delivery transport signs each attempt, and the audit records each
  attempt's signature; the submitting client as its origin, the only client that may follow
  it), the audit entry of the acceptance (the envelope's digest, the INSZ only as a keyed hash)
  and the inbox row that makes the client's idempotency key answer the same way forever.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from adapters.brussels.client import BRUSSELS_PARTY, GATEWAY_PARTY, BrusselsClient
from adapters.brussels.mapping import vov_to_bev
from gateway.audit.chain import AuditRecord
from gateway.delivery.inbox import Answered, InboxConflict
from gateway.delivery.outbox import NewEntry
from gateway.errors import BrugValidationError, Violation
from gateway.mapping.report import MappingReport
from gateway.models import BevRecord, Employment, MessageHeader, OdbCourse, VovRegistration
from gateway.service.context import BRUSSELS, GatewayContext
from gateway.service.rest.errors import ApiError
from gateway.store.digest import content_digest

log = logging.getLogger(__name__)

OPERATION = "ReceiveBevRecord"
PURPOSE = "VOV-BEV-MOBILITY"
COURSE_UNKNOWN = "course.unknown"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A registration mapped and enveloped (unsigned); nothing stored yet."""

    registration: VovRegistration
    message_id: str
    record: BevRecord
    report: MappingReport
    envelope: bytes
    digest: str
    correlation_id: str | None


CourseCache = dict[str, OdbCourse | None]


class Submissions:
    """Prepare and commit VOV → BEV submissions over one gateway context."""

    def __init__(self, context: GatewayContext) -> None:
        self.context = context

    def _brussels(self) -> BrusselsClient:
        client = self.context.brussels
        if BRUSSELS not in self.context.partners or client is None:
            raise ApiError(
                503,
                "partner_not_configured",
                "no Brussels partner is configured on this gateway",
                headers={"Retry-After": "3600"},
                partner=BRUSSELS,
            )
        return client

    def course_for(
        self,
        registration: VovRegistration,
        embedded: OdbCourse | None,
        cache: CourseCache | None = None,
    ) -> OdbCourse:
        """The embedded course, else the catalogue's; unknown → ``course.unknown``."""
        if embedded is not None:
            return embedded
        number = registration.odb_number
        if cache is not None and number in cache:
            found = cache[number]
        else:
            found = self.context.records.get_course(number)
            if cache is not None:
                cache[number] = found
        if found is None:
            raise BrugValidationError(
                [
                    Violation(
                        "odb_number",
                        COURSE_UNKNOWN,
                        "the course is not in the catalogue: embed it as `course` or store it "
                        "with PUT /v1/odb-courses/{odbNumber} first",
                        number,
                    )
                ],
                context="VovRegistration",
            )
        return found

    def prepare(
        self,
        registration: VovRegistration,
        course: OdbCourse,
        correlation_id: str | None,
        *,
        employment: Employment | None = None,
    ) -> Prepared:
        """Map and envelope; raises BrugValidationError (``route.not-brussels``...).

        ``employment`` is the Brussels reference fraction when the caller has it."""
        client = self._brussels()
        result = vov_to_bev(
            registration,
            course,
            self.context.rules,
            self.context.crosswalk,
            employment=employment,
        )
        message_id = uuid.uuid4()
        header = MessageHeader(
            message_id=message_id,
            timestamp=self.context.store.clock(),
            sender=GATEWAY_PARTY,
            recipient=BRUSSELS_PARTY,
            purpose=PURPOSE,
            correlation_id=correlation_id,
        )
        envelope = client.build_receive_request(result.record, header)
        return Prepared(
            registration=registration,
            message_id=str(message_id),
            record=result.record,
            report=result.report,
            envelope=envelope,
            digest=content_digest(envelope),
            correlation_id=correlation_id,
        )

    def commit(
        self,
        tx: Session,
        prepared: Prepared,
        *,
        inbox_partner: str,
        inbox_key: str,
        request_digest: str,
        answer: bytes,
        origin: str,
    ) -> bytes | None:
        """Enqueue, audit and record the answer in ``tx``; returns the FIRST answer instead
        (and does nothing) when a concurrent copy of the same request committed before us.

        ``origin`` is the submitting client's id: it is stored on the outbox entry, and only
        that client (or an ``outbox:admin`` operator) may follow the message afterwards."""
        context = self.context
        decision = context.inbox.begin(inbox_partner, inbox_key, request_digest, tx=tx)
        if not decision.is_new:
            return decision.answer
        context.outbox.enqueue(
            partner=BRUSSELS,
            message_id=prepared.message_id,
            operation=OPERATION,
            payload=prepared.envelope,
            correlation_id=prepared.correlation_id,
            origin=origin,
            tx=tx,
        )
        context.audit.append(acceptance_record(prepared), tx=tx)
        context.inbox.complete(inbox_partner, inbox_key, answer, tx=tx)
        return None


def acceptance_record(prepared: Prepared) -> AuditRecord:
    """The audit entry of a message accepted for Brussels: the unsigned envelope's digest (each
    delivery attempt adds its own entries with the signature it sent), the INSZ hashed."""
    return AuditRecord(
        partner=BRUSSELS,
        operation=OPERATION,
        direction="out",
        message_id=prepared.message_id,
        digest=prepared.digest,
        outcome="accepted",
        insz=prepared.registration.worker.insz,
    )


@dataclass(frozen=True, slots=True)
class Commit:
    """One prepared submission for :meth:`Submissions.commit_many`, keyed for idempotency."""

    prepared: Prepared
    inbox_key: str
    request_digest: str
    answer: bytes


def commit_many(
    context: GatewayContext,
    tx: Session,
    items: Sequence[Commit],
    *,
    inbox_partner: str,
    origin: str,
) -> list[bytes | None]:
    """:meth:`Submissions.commit` for a batch, in a handful of statements (bulk intake).

    One multi-row insert each for the idempotency rows (written answered: the answers are known
    before the write), the outbox entries and, under one head lock, the audit entries. Returns,
    per item, None when it was stored now, or the FIRST answer when a concurrent copy of the
    same line committed before us (nothing is stored for it). Raises :class:`InboxConflict`
    when that copy was a different line under the same key (the caller refuses the batch).
    """
    inserted = context.inbox.record_answered(
        [Answered(inbox_partner, i.inbox_key, i.request_digest, i.answer) for i in items], tx=tx
    )
    known = context.inbox.known(
        [
            (inbox_partner, i.inbox_key)
            for i in items
            if (inbox_partner, i.inbox_key) not in inserted
        ],
        tx=tx,
    )
    out: list[bytes | None] = []
    fresh: list[Commit] = []
    for item in items:
        key = (inbox_partner, item.inbox_key)
        if key in inserted:
            fresh.append(item)
            out.append(None)
            continue
        first = known.get(key)
        if first is None or first.digest != item.request_digest or not first.answered:
            raise InboxConflict(f"idempotency key {item.inbox_key!r} is in use by another request")
        out.append(first.answer)
    context.outbox.enqueue_many(
        [
            NewEntry(
                partner=BRUSSELS,
                message_id=i.prepared.message_id,
                operation=OPERATION,
                payload=i.prepared.envelope,
                digest=i.prepared.digest,
                correlation_id=i.prepared.correlation_id,
                origin=origin,
            )
            for i in fresh
        ],
        tx=tx,
    )
    context.audit.append_many([acceptance_record(i.prepared) for i in fresh], tx=tx)
    return out


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
