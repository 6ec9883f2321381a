"""One store transaction per message: replay key, inbox, effect, answer and audit entry together.

Either all of them exist or none does, and they cost one commit. A crash or a full disk before
the commit leaves no record, no inbox row and no audit entry, so the partner's retry is
processed as new; after the commit, the retry finds the inbox row and gets the first answer back
without a second effect.
The answer is kept *unsigned* (the payload element): it is signed again for each copy sent,
because a stored signature would carry an expired Timestamp and trip the caller's replay cache.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from lxml import etree

from adapters.soap.acknowledgement import Acknowledgement
from gateway.audit.chain import AuditRecord
from gateway.delivery.inbox import InboxConflict, InboxInProgress
from gateway.errors import Violation
from gateway.service.context import GatewayContext
from gateway.service.soap.calls import SCHEMA, InboundCall, OperationSpec
from gateway.service.soap.message_status import ACKNOWLEDGEMENT_TAGS
from gateway.service.soap.replies import ClientRefusal, StoreUnavailable
from gateway.store.digest import content_digest
from gateway.store.replay import ReplayClaims
from gateway.wssecurity import WSSecurityFault
from gateway.wssecurity.algorithms import exc_c14n
from gateway.wssecurity.faults import INVALID_SECURITY
from gateway.xml import schemas
from gateway.xml.safe_parser import parse_xml

CONFLICT_RULE = "inbox.conflict"
REPEAT_OUTCOME = "repeat"


@dataclass(frozen=True, slots=True)
class Applied:
    answer: etree._Element  # the unsigned answer payload (first answer for a repeat)
    outcome: str  # as audited
    accepted: bool
    repeat: bool


def request_digest(payload: etree._Element) -> str:
    """SHA-256 of the verified payload's exclusive C14N: what a reused message id is compared by."""
    return content_digest(exc_c14n(payload))


def accepted_answer(answer: etree._Element) -> bool:
    """Whether a stored answer counts as accepted (an acknowledgement may say rejected)."""
    if answer.tag in ACKNOWLEDGEMENT_TAGS:
        return Acknowledgement.from_element(answer).status != "rejected"
    return True


def replayed_fault() -> WSSecurityFault:
    return WSSecurityFault(
        INVALID_SECURITY, "this message was already received (replayed signature)"
    )


def conflict_refusal(message_id: str) -> ClientRefusal:
    reason = f"message id {message_id} was already used for a different request"
    return ClientRefusal(
        reason, [Violation("header.messageId", CONFLICT_RULE, reason, message_id)], "inbox"
    )


def inbound_audit(
    call: InboundCall, operation: str, digest: str, outcome: str, insz: str | None
) -> AuditRecord:
    """The audit entry of an applied inbound message (alone or in a batch)."""
    return AuditRecord(
        partner=call.partner.name,
        operation=operation,
        direction="in",
        message_id=call.message_id,
        digest=digest,
        outcome=outcome,
        signature_value=base64.b64encode(call.verified.signature_value).decode("ascii"),
        insz=insz,
    )


def apply(
    context: GatewayContext, call: InboundCall, spec: OperationSpec, claims: ReplayClaims
) -> Applied:
    """Run ``spec``'s handler exactly once per (partner, message id).

    ``claims`` are the signatures the verifier saw (deferred replay checks): they are stored
    first, in this transaction, so a replayed signature is refused before anything else happens
    and a refused message leaves nothing behind.

    Raises :class:`WSSecurityFault` for a replayed signature, :class:`ClientRefusal`
    (``inbox.conflict``) for a reused id with another payload and :class:`StoreUnavailable`
    while a first copy is still being processed elsewhere.
    """
    digest = request_digest(call.payload)
    partner = call.partner.name
    try:
        with context.store.transaction() as tx:
            if not claims.settle(tx):
                raise replayed_fault()
            decision = context.inbox.begin(partner, call.message_id, digest, tx=tx)
            if not decision.is_new:
                answer = parse_xml(decision.answer or b"")  # brug's own stored bytes
                accepted = accepted_answer(answer)
                outcome, insz = REPEAT_OUTCOME, None
            else:
                handled = spec.handler(context, call, tx)
                # A bug producing an invalid answer must fail here, before anything commits.
                schemas.validate(SCHEMA, handled.answer)
                answer, accepted = handled.answer, handled.accepted
                outcome, insz = handled.outcome, handled.insz
                stored = etree.tostring(answer, encoding="UTF-8")
                context.inbox.complete(partner, call.message_id, stored, tx=tx)
            context.audit.append(inbound_audit(call, spec.name, digest, outcome, insz), tx=tx)
    except InboxConflict:
        raise conflict_refusal(call.message_id) from None
    except InboxInProgress:
        raise StoreUnavailable(f"message {call.message_id} is still being processed") from None
    return Applied(answer, outcome, accepted, not decision.is_new)
