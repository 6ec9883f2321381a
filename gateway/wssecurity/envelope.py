"""SOAP envelope structure: version detection, the one Header, the one Body, our Security header.

Verification trusts *positions*, not names found anywhere: the Body that counts is the direct
child of the Envelope, the Security header that counts is the direct child of the Header
targeted at brug. Everything here refuses ambiguous layouts (two Bodies, two Headers) that
signature-wrapping attacks rely on.
"""

from __future__ import annotations

from lxml import etree

from gateway.soap.envelope import EnvelopeError, ParsedEnvelope, split_envelope
from gateway.wssecurity.faults import INVALID_SECURITY, WSSecurityFault
from gateway.wssecurity.ns import SOAP12_ULTIMATE_RECEIVER, SOAP_TAGS, WSSE_SECURITY

SOAP_NEXT = {
    "http://schemas.xmlsoap.org/soap/actor/next",
    "http://www.w3.org/2003/05/soap-envelope/role/next",
}


#: The split Envelope (the SOAP layer's type; ``ns`` is its namespace).
SoapParts = ParsedEnvelope


def soap_parts(root: etree._Element) -> SoapParts:
    """Split an Envelope into its Header and Body, refusing anything but the SOAP layout.

    The check is the SOAP layer's (:func:`gateway.soap.envelope.split_envelope`); here a refusal
    is a WS-Security fault, because a loose layout is what signature wrapping hides in.
    """
    try:
        return split_envelope(root)
    except EnvelopeError as exc:
        raise WSSecurityFault(INVALID_SECURITY, exc.reason) from None


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
