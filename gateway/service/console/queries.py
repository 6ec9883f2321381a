"""What the console shows, read from the gateway's own machinery (no second copy of any rule).

Counts and lists come from the outbox table, the history of a message from the audit log,
circuit-breaker states from this process's delivery worker, call times from its metrics,
retry from :meth:`Outbox.retry <gateway.delivery.outbox.Outbox.retry>`, the chain check from
:func:`gateway.audit.verify.verify_chain`, the VOK list from
:func:`gateway.service.rest.proactive.candidates`.

Finding a worker's messages by INSZ: the store never keeps an INSZ in clear next to a message,
but every acceptance is audited with the keyed hash of the worker's INSZ (``audit_log.subject``,
:class:`~gateway.audit.subjects.SubjectHasher`). The console hashes the INSZ typed in with the
same key and follows the audit entries to their message ids; the INSZ itself is shown only
masked and never written back into the page or a URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gateway.audit.signing import CheckpointVerifier
from gateway.audit.verify import VerificationReport, verify_chain
from gateway.delivery.circuit import CircuitBreaker
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.identifiers.insz import InvalidInsz, mask_insz, validate_insz
from gateway.observability.redaction import redact_insz
from gateway.service.context import GatewayContext
from gateway.service.rest.proactive import candidates
from gateway.service.rest.schemas import Candidate
from gateway.store.clock import as_utc
from gateway.store.tables import AuditCheckpointRow, AuditEntryRow, AuditHeadRow, OutboxRow

#: "Delivered today" counts from midnight where the operators are.
LOCAL_TIME = ZoneInfo("Europe/Brussels")
MAX_LISTED = 200
_INSZ_TYPED = re.compile(r"^\d{2}\.?\d{2}\.?\d{2}[-. ]?\d{3}\.?\d{2}$")
SEARCHABLE = re.compile(r"^[A-Za-z0-9._:-]{1,255}$")


@dataclass(frozen=True, slots=True)
class PartnerRow:
    name: str
    pending: int = 0
    in_flight: int = 0
    delivered_today: int = 0
    dead: int = 0
    oldest_pending: timedelta | None = None
    circuit: str = "unknown"
    last_error: str | None = None
    mean_call_ms: float | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    kind: Literal["insz", "id"]
    shown: str  # what the page may print: the INSZ masked, or the id typed
    entries: list[OutboxEntry] = field(default_factory=list)


class SearchError(ValueError):
    """The query is not something the console searches for; ``key`` names the message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def shown_error(text: str | None) -> str | None:
    """An error as the console prints it: INSZ-looking numbers masked, at most 300 chars."""
    if text is None:
        return None
    clean = redact_insz(text)
    return clean if len(clean) <= 300 else clean[:299] + "…"


def _mean_call_ms(context: GatewayContext, partner: str) -> float | None:
    total = count = 0.0
    for metric in context.metrics.partner_call_seconds.collect():
        for sample in metric.samples:
            if sample.labels.get("partner") != partner:
                continue
            if sample.name.endswith("_sum"):
                total += sample.value
            elif sample.name.endswith("_count"):
                count += sample.value
    return None if count == 0 else 1000.0 * total / count


def partner_overview(
    context: GatewayContext, breaker: CircuitBreaker | None, now: datetime
) -> list[PartnerRow]:
    """One row per configured partner (and any other partner the outbox holds messages for).

    Asked every few seconds by every open console, so each query is bounded by an index, not by
    the history the store keeps (``benchmarks/console.py``): counts and ages only over the
    unfinished and dead entries (the status index), deliveries today from the audit log's
    entries of today (its time index), not from the delivered entries of all time.
    """
    midnight = now.astimezone(LOCAL_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = (OutboxStatus.PENDING.value, OutboxStatus.IN_FLIGHT.value)
    counts: dict[tuple[str, str], int] = {}
    oldest: dict[str, datetime] = {}
    errors: dict[str, str] = {}
    with context.store.read() as session:
        for partner, status, n, first in session.execute(
            select(
                OutboxRow.partner, OutboxRow.status, func.count(), func.min(OutboxRow.created_at)
            )
            .where(OutboxRow.status.in_((*waiting, OutboxStatus.DEAD.value)))
            .group_by(OutboxRow.partner, OutboxRow.status)
        ):
            counts[(str(partner), str(status))] = int(n)
            if status in waiting and first is not None:
                at = as_utc(first)
                oldest[str(partner)] = min(oldest.get(str(partner), at), at)
        for partner, error in session.execute(
            select(OutboxRow.partner, OutboxRow.last_error)
            .where(
                OutboxRow.status.in_((*waiting, OutboxStatus.DEAD.value)),
                OutboxRow.last_error.is_not(None),
            )
            .order_by(OutboxRow.next_attempt_at.desc())
            .limit(500)
        ):
            errors.setdefault(str(partner), str(error))
        today: dict[str, int] = {
            str(p): int(n)
            for p, n in session.execute(
                select(AuditEntryRow.partner, func.count())
                .where(
                    AuditEntryRow.recorded_at >= midnight,
                    AuditEntryRow.direction == "out",
                    AuditEntryRow.outcome.like("attempt %: delivered"),
                )
                .group_by(AuditEntryRow.partner)
            )
        }
    names = sorted(set(context.partners) | {p for p, _ in counts})
    rows = []
    for name in names:
        since = oldest.get(name)
        rows.append(
            PartnerRow(
                name=name,
                pending=counts.get((name, "pending"), 0),
                in_flight=counts.get((name, "in_flight"), 0),
                delivered_today=today.get(name, 0),
                dead=counts.get((name, "dead"), 0),
                oldest_pending=None if since is None else max(timedelta(0), now - since),
                circuit="unknown" if breaker is None else breaker.state(name).value,
                last_error=shown_error(errors.get(name)),
                mean_call_ms=_mean_call_ms(context, name),
            )
        )
    return rows


def dead_letters(context: GatewayContext, limit: int = MAX_LISTED) -> list[OutboxEntry]:
    """The newest dead entries first."""
    stmt = (
        select(OutboxRow)
        .where(OutboxRow.status == OutboxStatus.DEAD.value)
        .order_by(OutboxRow.id.desc())
        .limit(limit)
    )
    with context.store.read() as session:
        return [OutboxEntry.from_row(r) for r in session.scalars(stmt)]


def _by_ids(context: GatewayContext, message_ids: Sequence[str]) -> list[OutboxEntry]:
    if not message_ids:
        return []
    stmt = (
        select(OutboxRow)
        .where(OutboxRow.message_id.in_(list(message_ids)))
        .order_by(OutboxRow.id.desc())
        .limit(MAX_LISTED)
    )
    with context.store.read() as session:
        return [OutboxEntry.from_row(r) for r in session.scalars(stmt)]


def find_messages(context: GatewayContext, query: str) -> SearchResult:
    """Messages by INSZ (via the audit's keyed hash), message id, correlation id, or the
    registration id inside the stored message; raises :class:`SearchError` for bad input."""
    typed = query.strip()
    if _INSZ_TYPED.match(typed):
        try:
            insz = validate_insz(typed)
        except InvalidInsz:
            raise SearchError("search.bad_insz") from None
        subject = context.records.subjects.hash(insz)
        with context.store.read() as session:
            ids = list(
                session.scalars(
                    select(AuditEntryRow.message_id)
                    .where(AuditEntryRow.subject == subject)
                    .distinct()
                    .limit(MAX_LISTED)
                )
            )
        return SearchResult("insz", mask_insz(insz), _by_ids(context, ids))
    if not SEARCHABLE.match(typed):
        raise SearchError("search.bad")
    newest = OutboxRow.id.desc()
    with context.store.read() as session:
        # Cheapest first: message ids are indexed; correlation ids and registration ids are not
        # (a scan each, only when the cheaper look-ups found nothing).
        found: list[OutboxEntry] = []
        for key in (OutboxRow.message_id, OutboxRow.correlation_id):
            stmt = select(OutboxRow).where(key == typed).order_by(newest).limit(MAX_LISTED)
            found = [OutboxEntry.from_row(r) for r in session.scalars(stmt)]
            if found:
                break
        if not found:
            found = _by_registration_id(session, context.store.dialect, typed)
    return SearchResult("id", typed, found)


def _by_registration_id(session: Session, dialect: str, registration_id: str) -> list[OutboxEntry]:
    """Entries whose stored (unsigned) message carries ``registration_id`` as an element's
    whole text: the BEV record keeps the Flemish registration id it was mapped from. A scan of
    the payloads (no index holds registration ids), newest first, bounded."""
    needle = f">{registration_id}<".encode()
    match = (
        text("position(:needle in payload) > 0")
        if dialect == "postgresql"
        else text("instr(payload, :needle) > 0")
    ).bindparams(needle=needle)
    stmt = select(OutboxRow).where(match).order_by(OutboxRow.id.desc()).limit(MAX_LISTED)
    return [OutboxEntry.from_row(r) for r in session.scalars(stmt)]


@dataclass(frozen=True, slots=True)
class HistoryLine:
    seq: int
    at: datetime
    partner: str
    operation: str
    direction: str
    outcome: str


def message_history(context: GatewayContext, message_id: str) -> list[HistoryLine]:
    """The audit entries of a message in chain order (acceptance, attempts, operators)."""
    stmt = (
        select(AuditEntryRow)
        .where(AuditEntryRow.message_id == message_id)
        .order_by(AuditEntryRow.seq)
        .limit(500)
    )
    with context.store.read() as session:
        return [
            HistoryLine(
                r.seq,
                r.recorded_at,
                r.partner,
                r.operation,
                r.direction,
                shown_error(r.outcome) or "",
            )
            for r in session.scalars(stmt)
        ]


@dataclass(frozen=True, slots=True)
class AuditStatus:
    entries: int
    checkpoint: AuditCheckpointRow | None


def audit_status(context: GatewayContext) -> AuditStatus:
    with context.store.read() as session:
        head = session.get(AuditHeadRow, 1)
        checkpoint = session.scalars(
            select(AuditCheckpointRow).order_by(AuditCheckpointRow.seq.desc()).limit(1)
        ).first()
        if checkpoint is not None:
            session.expunge(checkpoint)
    return AuditStatus(0 if head is None else int(head.seq), checkpoint)


def verify_audit(context: GatewayContext) -> VerificationReport:
    """The whole chain and every checkpoint signature, with this gateway's public key."""
    verifier = CheckpointVerifier(context.key_material.private_key.public_key())
    return verify_chain(context.store, verifier)


def vok_list(context: GatewayContext) -> list[Candidate]:
    """The proactive VOK list (no course given: everyone on it is "to contact")."""
    return candidates(context.records.mutations(), context.codes, context.rules, None)
