"""Take brug's own signature off an envelope it signed, so that it can be signed afresh.

The outbox keeps the *signed* form of every message it accepted (the audit log records that
signature: proof of what brug committed to send). A retry hours later cannot reuse it: partners
refuse a Timestamp older than their window (five minutes for KSZ). The Body and its wsu:Id are
left untouched, so the new signature covers exactly the same canonical Body, and the partner's
duplicate detection (by message id, inside the Body) sees the same message.
"""

from __future__ import annotations

from lxml import etree

from gateway.wssecurity.envelope import security_headers, soap_parts
from gateway.xml.safe_parser import ParseLimits, parse_xml


def unsigned_form(envelope: bytes, *, limits: ParseLimits | None = None) -> bytes:
    """``envelope`` without its WS-Security header (an unsigned envelope is returned as is)."""
    root = parse_xml(envelope, limits)
    parts = soap_parts(root)
    removed = False
    for block in security_headers(parts, None):
        parent = block.getparent()
        if parent is not None:
            parent.remove(block)
            removed = True
    if not removed:
        return envelope
    return etree.tostring(root, encoding="UTF-8")
