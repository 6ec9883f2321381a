"""May this partner do this, for this purpose?

Belgian integrators grant access per application certificate, per use case and per purpose
(the KSZ "machtiging"); the gateway mirrors that with two lists per partner in ``brug.toml``:
``inbound_operations`` (what it may call here) and ``purposes`` (which header purposes it may
state). A verified, well-formed message outside those lists is refused with a Client fault
naming the rule, so the partner's operator sees a configuration matter, not a bug.
"""

from __future__ import annotations

from gateway.errors import Violation
from gateway.models.header import MessageHeader
from gateway.service.context import Partner
from gateway.service.soap.replies import ClientRefusal

OPERATION_RULE = "auth.operation"
PURPOSE_RULE = "auth.purpose"


def authorise(partner: Partner, operation: str, header: MessageHeader) -> None:
    """Raise :class:`ClientRefusal` unless ``partner`` may call ``operation`` for its purpose."""
    if not partner.may_call(operation):
        reason = f"operation {operation} not allowed for partner {partner.name}"
        raise ClientRefusal(
            reason,
            [Violation("/Envelope/Body", OPERATION_RULE, reason, operation)],
            "authorisation",
        )
    purpose = (header.purpose or "").strip()
    if not purpose:
        reason = "the message header states no purpose"
        raise ClientRefusal(
            reason, [Violation("header.purpose", PURPOSE_RULE, reason)], "authorisation"
        )
    if not partner.accepts_purpose(purpose):
        reason = f"purpose {purpose} is not accepted from partner {partner.name}"
        raise ClientRefusal(
            reason, [Violation("header.purpose", PURPOSE_RULE, reason, purpose)], "authorisation"
        )
