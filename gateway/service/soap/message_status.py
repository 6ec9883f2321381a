"""GetMessageStatus: what became of a message, from the inbox and the outbox.

Mapping to the XSD's ``gw:MessageState`` (the furthest stage known wins: an outbox state says
more than the inbox row that caused it):

==========================================  ===========  =====================================
found                                       state        violations
==========================================  ===========  =====================================
outbox entry ``dead`` (any)                 failed       ``delivery.dead``: the last error
outbox entry ``pending`` / ``in_flight``    validated    ``delivery.retry``: last error if any
outbox entries all ``delivered``            delivered
inbox row ``received`` (being processed)    received
inbox row answered, acknowledgement         rejected     the acknowledgement's violations
``rejected``
inbox row answered, anything else           validated
nothing visible to the caller               unknown
==========================================  ===========  =====================================

Visibility: a partner sees its own inbox rows, the outbox entries addressed to it, and the
outbox entries carrying the id of a message it sent itself. Another partner's message id
answers ``unknown``, exactly like an id never seen, so the call cannot probe other traffic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.soap.acknowledgement import Acknowledgement
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.errors import Violation
from gateway.observability.redaction import redact_insz
from gateway.service.context import GatewayContext
from gateway.service.soap.calls import Handled, InboundCall, gw
from gateway.soap.faults import GW_NS
from gateway.store.tables import InboxRow, OutboxRow
from gateway.xml.binding import fmt_datetime
from gateway.xml.safe_parser import parse_xml

ACKNOWLEDGEMENT_TAGS = frozenset(
    {gw("SubmitBevRecordResponse"), gw("PushCareerBreakMutationResponse")}
)


@dataclass(frozen=True, slots=True)
class MessageState:
    state: str
    updated_at: datetime | None = None
    violations: tuple[Violation, ...] = ()


def _error(rule: str, entry: OutboxEntry, what: str) -> Violation:
    return Violation(
        f"outbox[{entry.partner}]",
        rule,
        what,
        redact_insz(entry.last_error) if entry.last_error else None,
    )


def from_outbox(entries: Sequence[OutboxEntry]) -> MessageState | None:
    if not entries:
        return None
    dead = [e for e in entries if e.status is OutboxStatus.DEAD]
    if dead:
        return MessageState(
            "failed",
            max(e.created_at for e in dead),
            tuple(_error("delivery.dead", e, "delivery given up") for e in dead),
        )
    open_ = [e for e in entries if e.status in (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)]
    if open_:
        return MessageState(
            "validated",
            max(e.created_at for e in open_),
            tuple(
                _error("delivery.retry", e, f"not delivered yet after {e.attempts} attempt(s)")
                for e in open_
                if e.last_error
            ),
        )
    return MessageState("delivered", max((e.delivered_at or e.created_at) for e in entries))


def from_inbox(row: InboxRow | None) -> MessageState | None:
    if row is None:
        return None
    if row.status != "answered" or row.answer is None:
        return MessageState("received", row.created_at)
    answer = parse_xml(row.answer)  # brug's own stored answer
    if answer.tag in ACKNOWLEDGEMENT_TAGS:
        ack = Acknowledgement.from_element(answer)
        if ack.status == "rejected":
            return MessageState("rejected", row.answered_at, ack.violations)
    return MessageState("validated", row.answered_at)


def message_state(partner: str, message_id: str, tx: Session) -> MessageState:
    """The state of ``message_id`` as ``partner`` may see it (read in the caller's transaction)."""
    row = tx.scalars(
        select(InboxRow).where(InboxRow.partner == partner, InboxRow.message_id == message_id)
    ).first()
    # Read with the open transaction: Outbox.find_message opens its own, which on SQLite would
    # wait for the write lock this transaction holds.
    entries = [
        OutboxEntry.from_row(r)
        for r in tx.scalars(select(OutboxRow).where(OutboxRow.message_id == message_id))
        if row is not None or r.partner == partner
    ]
    return from_outbox(entries) or from_inbox(row) or MessageState("unknown")


def get_message_status(context: GatewayContext, call: InboundCall, tx: Session) -> Handled:
    asked = (call.payload.findtext(gw("messageId")) or "").strip()
    found = message_state(call.partner.name, asked, tx)
    root = etree.Element(gw("GetMessageStatusResponse"), nsmap={"gw": GW_NS})
    etree.SubElement(root, gw("messageId")).text = asked
    etree.SubElement(root, gw("status")).text = found.state
    if found.updated_at is not None:
        etree.SubElement(root, gw("updatedAt")).text = fmt_datetime(found.updated_at)
    for v in found.violations:
        item = etree.SubElement(root, gw("violation"))
        etree.SubElement(item, gw("path")).text = v.path
        etree.SubElement(item, gw("rule")).text = v.rule
        etree.SubElement(item, gw("message")).text = v.message
        if v.value is not None:
            etree.SubElement(item, gw("value")).text = v.value
    return Handled(root, found.state, True)
