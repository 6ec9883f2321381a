"""The shared message header (``urn:be:brug:header:1``) to and from XML.

Every brug message document starts with this header; the record bindings call
:func:`append_header` when writing and :func:`header_data` when reading, so that the header is
bound in exactly one place. Reading returns plain data (not a model) so that the caller can
validate header and payload together and report all their violations at once.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from gateway.models.header import MessageHeader, Party
from gateway.validation import parse_model
from gateway.xml.binding import child, opt, put, sub, text

HEADER_NS = "urn:be:brug:header:1"
HEADER_PREFIX = "h"


def q(local: str) -> str:
    """Clark name of a header element."""
    return f"{{{HEADER_NS}}}{local}"


HEADER = q("header")


def _append_party(parent: etree._Element, tag: str, party: Party) -> None:
    element = sub(parent, q(tag))
    sub(element, q("code"), party.code)
    opt(element, q("kbo"), party.kbo)


def append_header(parent: etree._Element, header: MessageHeader) -> etree._Element:
    """Append ``<h:header>`` to ``parent`` (schema order) and return it."""
    element = sub(parent, HEADER)
    sub(element, q("messageId"), str(header.message_id))
    sub(element, q("timestamp"), header.timestamp)
    _append_party(element, "sender", header.sender)
    _append_party(element, "recipient", header.recipient)
    sub(element, q("purpose"), header.purpose)
    opt(element, q("legalBasis"), header.legal_basis)
    opt(element, q("correlationId"), header.correlation_id)
    return element


def header_to_xml(header: MessageHeader) -> etree._Element:
    """A standalone ``<h:header>`` element (e.g. for a SOAP header block)."""
    holder = etree.Element("holder", nsmap={HEADER_PREFIX: HEADER_NS})
    element = append_header(holder, header)
    holder.remove(element)
    return element


def _party_data(element: etree._Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    data: dict[str, Any] = {"code": text(element, q("code"))}
    put(data, "kbo", text(element, q("kbo")))
    return data


def header_data(element: etree._Element) -> dict[str, Any]:
    """Plain data for :class:`MessageHeader` from ``<h:header>`` (validate it with the payload)."""
    data: dict[str, Any] = {}
    put(data, "message_id", text(element, q("messageId")))
    put(data, "timestamp", text(element, q("timestamp")))
    put(data, "sender", _party_data(child(element, q("sender"))))
    put(data, "recipient", _party_data(child(element, q("recipient"))))
    put(data, "purpose", text(element, q("purpose")))
    put(data, "legal_basis", text(element, q("legalBasis")))
    put(data, "correlation_id", text(element, q("correlationId")))
    return data


def find_header(root: etree._Element) -> etree._Element:
    """The header of a message document (the XSD guarantees it is there)."""
    found = child(root, HEADER)
    if found is None:  # only when the caller skipped schema validation
        raise ValueError("message has no brug header")
    return found


def header_from_xml(element: etree._Element) -> MessageHeader:
    """A validated :class:`MessageHeader` from ``<h:header>`` (BrugValidationError if invalid)."""
    return parse_model(MessageHeader, header_data(element), context="message header")
