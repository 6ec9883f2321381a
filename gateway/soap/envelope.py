"""SOAP 1.1 / 1.2 envelopes: building requests, splitting received ones, the HTTP headers.

brug builds its own envelopes (rather than letting zeep serialise) wherever the bytes must be
stored before they are sent: the outbox keeps the unsigned envelope and the delivery transport
signs it at send time. Reading always goes through the hardened parser; a document that is not
exactly one Envelope with at most one Header and exactly one Body (and nothing else) is refused,
because anything looser is what signature-wrapping attacks hide in. :func:`split_envelope` is
the only place that decides this: the WS-Security layer (which trusts *positions*, the Body that
is the Envelope's direct child) words its refusal as a security fault around the same check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.soap.ns import SOAP11, SOAP12
from gateway.xml.safe_parser import ParseLimits, parse_xml

SoapVersion = Literal["1.1", "1.2"]

NAMESPACES: dict[SoapVersion, str] = {"1.1": SOAP11, "1.2": SOAP12}
PREFIXES: dict[SoapVersion, str] = {"1.1": "soapenv", "1.2": "env"}
CONTENT_TYPES: dict[SoapVersion, str] = {
    "1.1": "text/xml; charset=utf-8",
    "1.2": "application/soap+xml; charset=utf-8",
}


def version_of_namespace(ns: str | None) -> SoapVersion | None:
    if ns == SOAP11:
        return "1.1"
    if ns == SOAP12:
        return "1.2"
    return None


def version_from_content_type(content_type: str | None) -> SoapVersion:
    """SOAP 1.2 travels as ``application/soap+xml``; everything else is taken as 1.1."""
    return "1.2" if (content_type or "").lower().startswith("application/soap+xml") else "1.1"


def request_headers(version: SoapVersion, action: str) -> dict[str, str]:
    """HTTP headers of a SOAP request: SOAPAction for 1.1, the ``action`` parameter for 1.2."""
    if version == "1.2":
        return {"Content-Type": f'{CONTENT_TYPES["1.2"]}; action="{action}"'}
    return {"Content-Type": CONTENT_TYPES["1.1"], "SOAPAction": f'"{action}"'}


def build_envelope(payload: etree._Element, version: SoapVersion = "1.1") -> bytes:
    """An unsigned Envelope with an empty Header (the signer fills it) and ``payload`` in Body."""
    envelope = envelope_element(payload, version)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def envelope_element(
    payload: etree._Element,
    version: SoapVersion = "1.1",
    *,
    declare: Mapping[str, str] | None = None,
) -> etree._Element:
    """The Envelope of :func:`build_envelope` as a tree, for ``Signer.sign_element`` (a server
    signing its own answer need not serialise it and parse it back). ``payload`` is moved.

    ``declare``: more prefixes to declare on the Envelope, e.g. ``{"wsu": WSU}`` for a message
    about to be signed (the signer would otherwise rebuild the root to declare it once).
    """
    ns = NAMESPACES[version]
    env = etree.Element(f"{{{ns}}}Envelope", nsmap={PREFIXES[version]: ns, **(declare or {})})
    etree.SubElement(env, f"{{{ns}}}Header")
    body = etree.SubElement(env, f"{{{ns}}}Body")
    body.append(payload)
    return env


@dataclass(frozen=True, slots=True)
class ParsedEnvelope:
    version: SoapVersion
    envelope: etree._Element
    header: etree._Element | None
    body: etree._Element

    @property
    def ns(self) -> str:
        """The envelope namespace (SOAP 1.1 or 1.2)."""
        return NAMESPACES[self.version]

    @property
    def payload(self) -> etree._Element | None:
        """The first element in the Body (document/literal: the operation's element)."""
        return first_element(self.body)


def first_element(parent: etree._Element) -> etree._Element | None:
    for item in parent:
        if isinstance(item.tag, str):
            return item
    return None


class EnvelopeError(BrugValidationError):
    """The document is not one SOAP Envelope with at most one Header and exactly one Body."""

    def __init__(self, message: str) -> None:
        super().__init__([Violation("/", "soap.envelope", message)], context="SOAP message")
        self.reason = message


# Looked up on every message (the verifier's slow path and every client/server read).
_ENVELOPES: dict[str, SoapVersion] = {
    f"{{{SOAP11}}}Envelope": "1.1",
    f"{{{SOAP12}}}Envelope": "1.2",
}
_PARTS: dict[SoapVersion, tuple[str, str]] = {
    v: (f"{{{ns}}}Header", f"{{{ns}}}Body") for v, ns in NAMESPACES.items()
}


def split_envelope(root: etree._Element) -> ParsedEnvelope:
    """Header and Body of an Envelope; :class:`EnvelopeError` for any other layout."""
    version = _ENVELOPES.get(root.tag) if isinstance(root.tag, str) else None
    if version is None:
        raise EnvelopeError("the message is not a SOAP 1.1 or 1.2 Envelope")
    header_tag, body_tag = _PARTS[version]
    headers: list[etree._Element] = []
    bodies: list[etree._Element] = []
    for child in root:
        if child.tag == header_tag:
            headers.append(child)
        elif child.tag == body_tag:
            bodies.append(child)
        elif isinstance(child.tag, str):
            raise EnvelopeError(f"unexpected element {child.tag} directly in the Envelope")
    if len(bodies) != 1 or len(headers) > 1:
        raise EnvelopeError("the Envelope must hold exactly one Body and at most one Header")
    return ParsedEnvelope(version, root, headers[0] if headers else None, bodies[0])


def parse_envelope(data: bytes, limits: ParseLimits | None = None) -> ParsedEnvelope:
    """Hardened parse, then :func:`split_envelope`."""
    return split_envelope(parse_xml(data, limits))


def no_operation_error(payload: etree._Element | None) -> BrugValidationError:
    """The refusal of a Body whose first element (or its absence) is no operation of the service."""
    return BrugValidationError(
        [
            Violation(
                "/Envelope/Body",
                "soap.operation",
                "the Body holds no element of an operation of this service",
                None if payload is None else etree.QName(payload).localname,
            )
        ],
        context="SOAP request",
    )
