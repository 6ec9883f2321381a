"""LookupOdbCourse: a partner asks for an ODB course by number (a module number finds its course).

The answer carries a brug header of its own (the gateway as sender, the caller's purpose and
legal basis, the request's message id as correlation id) so that the partner can file the
answer with the question it asked.
"""

from __future__ import annotations

from datetime import UTC
from uuid import uuid4

from lxml import etree
from sqlalchemy.orm import Session

from adapters.brussels.client import GATEWAY_PARTY
from adapters.flanders.xml import ODB_NS, append_course
from gateway.models.header import MessageHeader
from gateway.service.context import GatewayContext
from gateway.service.soap.calls import Handled, InboundCall, gw
from gateway.soap.faults import GW_NS
from gateway.xml.header import HEADER_NS, HEADER_PREFIX, append_header


def reply_header(context: GatewayContext, asked: MessageHeader) -> MessageHeader:
    return MessageHeader(
        message_id=uuid4(),
        timestamp=context.store.clock().astimezone(UTC),
        sender=GATEWAY_PARTY,
        recipient=asked.sender,
        purpose=asked.purpose,
        legal_basis=asked.legal_basis,
        correlation_id=str(asked.message_id),
    )


def lookup_odb_course(context: GatewayContext, call: InboundCall, tx: Session) -> Handled:
    number = (call.payload.findtext(gw("odbNumber")) or "").strip()
    course = context.records.get_course(number, tx=tx)
    root = etree.Element(
        gw("LookupOdbCourseResponse"),
        nsmap={"gw": GW_NS, HEADER_PREFIX: HEADER_NS, "odb": ODB_NS},
    )
    append_header(root, reply_header(context, call.header))
    if course is None:
        missing = etree.SubElement(root, gw("notFound"))
        etree.SubElement(missing, gw("reason")).text = f"no ODB course {number}"
        return Handled(root, "not-found", True)
    append_course(root, course)
    return Handled(root, "found", True)
