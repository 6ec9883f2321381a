"""SOAP envelope structure: version detection, the one Header, the one Body, our Security header.

Verification trusts *positions*, not names found anywhere: the Body that counts is the direct
child of the Envelope, the Security header that counts is the direct child of the Header
targeted at brug. Everything here refuses ambiguous layouts (two Bodies, two Headers) that
signature-wrapping attacks rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree

from gateway.wssecurity.faults import INVALID_SECURITY, WSSecurityFault
from gateway.wssecurity.ns import (
    ENVELOPE_TAGS,
    SOAP11,
    SOAP12_ULTIMATE_RECEIVER,
    SOAP_TAGS,
    WSSE_SECURITY,
)

SOAP_NEXT = {
    "http://schemas.xmlsoap.org/soap/actor/next",
    "http://www.w3.org/2003/05/soap-envelope/role/next",
}


@dataclass(frozen=True, slots=True)
class SoapParts:
    version: Literal["1.1", "1.2"]
    ns: str
    envelope: etree._Element
    header: etree._Element | None
    body: etree._Element


def soap_parts(root: etree._Element) -> SoapParts:
    """Split an Envelope into its Header and Body, refusing anything but the SOAP layout."""
    ns = ENVELOPE_TAGS.get(root.tag) if isinstance(root.tag, str) else None
    if ns is None:
        raise WSSecurityFault(INVALID_SECURITY, "the message is not a SOAP 1.1 or 1.2 Envelope")
    version: Literal["1.1", "1.2"] = "1.1" if ns == SOAP11 else "1.2"
    header_tag, body_tag, _ = SOAP_TAGS[ns]
    headers: list[etree._Element] = []
    bodies: list[etree._Element] = []
    for child in root:
        if child.tag == header_tag:
            headers.append(child)
        elif child.tag == body_tag:
            bodies.append(child)
        elif isinstance(child.tag, str):
            raise WSSecurityFault(
                INVALID_SECURITY, f"unexpected element {child.tag} directly in the Envelope"
            )
    if len(bodies) != 1 or len(headers) > 1:
        raise WSSecurityFault(
            INVALID_SECURITY, "the Envelope must hold exactly one Body and at most one Header"
        )
    return SoapParts(version, ns, root, headers[0] if headers else None, bodies[0])


def targets_us(block: etree._Element, ns: str, actor: str | None) -> bool:
    """True when a header block is addressed to brug (no actor/role, 'next', or ours)."""
    value = block.get(SOAP_TAGS[ns][2])
    if value is None or value in SOAP_NEXT or value == SOAP12_ULTIMATE_RECEIVER:
        return True
    return actor is not None and value == actor


def security_headers(parts: SoapParts, actor: str | None) -> list[etree._Element]:
    """All wsse:Security header blocks addressed to brug."""
    if parts.header is None:
        return []
    return [h for h in parts.header if h.tag == WSSE_SECURITY and targets_us(h, parts.ns, actor)]
