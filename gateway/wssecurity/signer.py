"""Signing outgoing SOAP 1.1/1.2 messages the way the partner's profile says.

Layout written into one ``wsse:Security`` header (Strict / LaxTsFirst compatible, declare before
use): ``wsu:Timestamp``, ``wsse:BinarySecurityToken``, ``ds:Signature``. One signature covers
every part the profile lists (Body, Timestamp, token, named header blocks), each referenced by
its wsu:Id with an exclusive-C14N transform; KeyInfo is a SecurityTokenReference with a direct
Reference to the token. The key type picks RSA or ECDSA, the profile picks the hash.
"""

from __future__ import annotations

import base64
import binascii
import copy
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from lxml import etree

from gateway.wssecurity.algorithms import (
    DIGESTS,
    EXC_C14N,
    SIGNATURES,
    default_signature_for,
    digest,
    exc_c14n,
    sign,
)
from gateway.wssecurity.envelope import SoapParts, security_headers, soap_parts
from gateway.wssecurity.faults import WSSecurityFault
from gateway.wssecurity.keys import KeyMaterial
from gateway.wssecurity.ns import BASE64_BINARY, DS, SOAP11, WSSE, WSSE11, WSU, X509PKIPATHV1, q
from gateway.wssecurity.profiles import Profile
from gateway.wssecurity.references import BODY, TIMESTAMP, TOKEN
from gateway.wssecurity.timestamp import format_time
from gateway.wssecurity.tokens import token_bytes
from gateway.wssecurity.tree import child_nodes
from gateway.xml.safe_parser import ParseLimits, parse_xml

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """A signed envelope and what identifies this signing of it.

    The outbox stores messages unsigned and the delivery transport signs each attempt; the
    audit records, per attempt, the ``signature_value`` and the Timestamp (``created``,
    ``expires``: as written, ISO 8601) that actually left the gateway.
    """

    data: bytes = field(repr=False)
    signature_value: str
    created: str | None
    expires: str | None


_WSU_ID = q(WSU, "Id")
_DS_SIGNATURE = q(DS, "Signature")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Signer:
    """Sign envelopes for one profile with one key; safe to share between threads."""

    def __init__(
        self,
        profile: Profile,
        key_material: KeyMaterial,
        *,
        clock: Clock | None = None,
        signature_algorithm: str | None = None,
        digest_algorithm: str | None = None,
        timestamp_lifetime_seconds: int | None = None,
        actor: str | None = None,
    ) -> None:
        self.profile = profile
        self.key_material = key_material
        self._clock = clock or _utc_now
        if signature_algorithm is not None:
            self.signature_algorithm = SIGNATURES[signature_algorithm]
        else:
            self.signature_algorithm = default_signature_for(
                key_material.private_key,
                profile.signature_algorithm_rsa,
                profile.signature_algorithm_ec,
            )
        self.digest_algorithm = DIGESTS[digest_algorithm or profile.digest_algorithm]
        self._lifetime = timedelta(
            seconds=timestamp_lifetime_seconds or profile.timestamp_lifetime_seconds
        )
        self._actor = actor if actor is not None else profile.actor
        self._token_type = profile.token_value_type
        self._with_ts = TIMESTAMP in profile.sign_parts or profile.timestamp_required
        # The parts to reference, in the profile's order; a Timestamp only when one is written.
        self._plan = tuple(p for p in profile.sign_parts if p != TIMESTAMP or self._with_ts)
        self._token_b64 = base64.b64encode(
            token_bytes(self._token_type, key_material.certificate, key_material.chain)
        ).decode("ascii")
        self._limits = ParseLimits(
            profile.max_message_bytes, profile.max_depth, profile.max_elements
        )
        # (SOAP namespace, number of references) -> parsed Security header, see _skeleton
        self._templates: dict[tuple[str, int], etree._Element] = {}

    def sign(self, envelope: bytes) -> bytes:
        """Return ``envelope`` signed; SOAP 1.1 or 1.2 is taken from the Envelope namespace."""
        root = parse_xml(envelope, self._limits)
        return etree.tostring(self.sign_element(root), encoding="UTF-8")

    def sign_message(self, envelope: bytes) -> SignedMessage:
        """Like :meth:`sign`, and say which signature and Timestamp this signing wrote."""
        root = parse_xml(envelope, self._limits)
        root, signature, timestamp = self._sign(root)
        created = expires = None
        if timestamp is not None:
            stamps = child_nodes(timestamp)
            created, expires = stamps[0].text, stamps[1].text
        return SignedMessage(
            etree.tostring(root, encoding="UTF-8"),
            signature_value=signature[1].text or "",
            created=created,
            expires=expires,
        )

    def sign_element(self, root: etree._Element) -> etree._Element:
        """Sign a parsed Envelope; returns the (possibly new) root element."""
        return self._sign(root)[0]

    def _sign(
        self, root: etree._Element
    ) -> tuple[etree._Element, etree._Element, etree._Element | None]:
        """Sign; returns the root, the new ``ds:Signature`` and the new Timestamp (if any)."""
        root = _with_wsu_declared(root)
        try:
            parts = soap_parts(root)
        except WSSecurityFault as exc:
            raise ValueError(exc.reason) from None
        header = parts.header
        if header is None:
            header = etree.Element(q(parts.ns, "Header"))
            root.insert(0, header)
            parts = SoapParts(parts.version, root, header, parts.body)
        existing = security_headers(parts, self._actor)
        if existing and existing[0].find(_DS_SIGNATURE) is not None:
            raise ValueError("the envelope is already signed")

        token = secrets.token_hex(8)
        # (part, element, Id) per reference, in the profile's order; the new Timestamp and
        # token are filled in once the skeleton exists.
        ordered: list[tuple[str, etree._Element | None, str]] = []
        for part in self._plan:
            if part == BODY:
                ordered.append((part, parts.body, _ensure_id(parts.body, f"id-{token}")))
            elif part == TOKEN:
                ordered.append((part, None, f"X509-{token}"))
            elif part == TIMESTAMP:
                ordered.append((part, None, f"TS-{token}"))
            else:
                for n, block in enumerate(h for h in header if h.tag == part):
                    ordered.append((part, block, _ensure_id(block, f"h{n}-{token}")))

        security = self._skeleton(parts.ns, token, [i for _, _, i in ordered])
        # The new children, found before they move (proxies stay valid across the move).
        children = child_nodes(security)
        new_parts = {TOKEN: children[-2]}
        if self._with_ts:
            new_parts[TIMESTAMP] = children[0]
        signature = children[-1]
        if existing:  # a Security header for us is already there: add ours to the front
            for position, child in enumerate(children):
                existing[0].insert(position, child)
        else:  # one move; lxml drops the declarations the Envelope already makes
            header.insert(0, security)

        signed_info = signature[0]
        for (part, element, _), ref in zip(ordered, child_nodes(signed_info)[2:], strict=True):
            target = new_parts[part] if element is None else element
            value = digest(self.digest_algorithm, exc_c14n(target))
            ref[2].text = binascii.b2a_base64(value, newline=False).decode("ascii")
        raw = sign(self.signature_algorithm, self.key_material.private_key, exc_c14n(signed_info))
        signature[1].text = binascii.b2a_base64(raw, newline=False).decode("ascii")
        return root, signature, new_parts.get(TIMESTAMP)

    def _skeleton(self, ns: str, token: str, ref_ids: list[str]) -> etree._Element:
        """A whole ``wsse:Security`` header (Timestamp, token, Signature skeleton) for this
        message, copied from a parsed template of this shape.

        Copying a parsed template and setting its ~10 variable values costs about half of
        building the XML text and parsing it, and a third of building it element by element.
        The template is the Security element itself, with its mustUnderstand (and actor)
        attribute, so that it moves into the Header in one step; its namespace declarations
        that the Envelope already makes are dropped by lxml on that move.
        """
        shape = (ns, len(ref_ids))
        template = self._templates.get(shape)
        if template is None:
            placeholder = "0" * len(token)
            text = self._fragment(ns, placeholder, [f"r{i}" for i in range(len(ref_ids))])
            template = self._templates.setdefault(shape, etree.fromstring(text))
        security = copy.deepcopy(template)
        children = child_nodes(security)
        if self._with_ts:
            timestamp = children[0]
            now = self._clock()
            timestamp.set(_WSU_ID, f"TS-{token}")
            stamps = child_nodes(timestamp)
            stamps[0].text = format_time(now)
            stamps[1].text = format_time(now + self._lifetime)
        children[-2].set(_WSU_ID, f"X509-{token}")
        signature = children[-1]
        signature.set("Id", f"SIG-{token}")
        signature_parts = child_nodes(signature)
        for reference, ident in zip(child_nodes(signature_parts[0])[2:], ref_ids, strict=True):
            reference.set("URI", f"#{ident}")
        key_info = signature_parts[2]
        key_info.set("Id", f"KI-{token}")
        reference_holder = key_info[0]
        reference_holder.set(_WSU_ID, f"STR-{token}")
        reference_holder[0].set("URI", f"#X509-{token}")
        return security

    def _fragment(self, ns: str, token: str, ref_ids: list[str]) -> str:
        """The Security header with Timestamp, token and Signature skeleton as one XML string
        (parsed once per shape, see :meth:`_skeleton`).

        Building ~25 elements one lxml call at a time costs more than the rest of signing
        besides the RSA operation; one parse of a trusted template is several times cheaper.
        DigestValue and SignatureValue are filled in after the parts sit in their final place.
        """
        pkipath = self._token_type == X509PKIPATHV1
        must = "1" if ns == SOAP11 else "true"
        target = ""
        if self._actor:
            actor = escape(self._actor, {'"': "&quot;"})
            target = f' soap:{"actor" if ns == SOAP11 else "role"}="{actor}"'
        out = [
            f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" xmlns:ds="{DS}"'
            + (f' xmlns:wsse11="{WSSE11}"' if pkipath else "")
            + f' xmlns:soap="{ns}" soap:mustUnderstand="{must}"{target}>'
        ]
        if self._with_ts:
            now = self._clock()
            out.append(
                f'<wsu:Timestamp wsu:Id="TS-{token}"><wsu:Created>{format_time(now)}'
                f"</wsu:Created><wsu:Expires>{format_time(now + self._lifetime)}"
                "</wsu:Expires></wsu:Timestamp>"
            )
        out.append(
            f'<wsse:BinarySecurityToken EncodingType="{BASE64_BINARY}" '
            f'ValueType="{self._token_type}" wsu:Id="X509-{token}">{self._token_b64}'
            "</wsse:BinarySecurityToken>"
        )
        out.append(
            f'<ds:Signature Id="SIG-{token}"><ds:SignedInfo>'
            f'<ds:CanonicalizationMethod Algorithm="{EXC_C14N}"/>'
            f'<ds:SignatureMethod Algorithm="{self.signature_algorithm.uri}"/>'
        )
        for ident in ref_ids:
            out.append(
                f'<ds:Reference URI="#{ident}"><ds:Transforms>'
                f'<ds:Transform Algorithm="{EXC_C14N}"/></ds:Transforms>'
                f'<ds:DigestMethod Algorithm="{self.digest_algorithm.uri}"/>'
                "<ds:DigestValue></ds:DigestValue></ds:Reference>"
            )
        # Basic Security Profile: an STR to a PKIPath token states its TokenType; WSS4J
        # (MAGDA's connector) refuses the message without it.
        token_type = f' wsse11:TokenType="{X509PKIPATHV1}"' if pkipath else ""
        out.append(
            "</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>"
            f'<ds:KeyInfo Id="KI-{token}"><wsse:SecurityTokenReference wsu:Id="STR-{token}"'
            f'{token_type}><wsse:Reference URI="#X509-{token}" ValueType="{self._token_type}"/>'
            "</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security>"
        )
        return "".join(out)


def _ensure_id(element: etree._Element, fallback: str) -> str:
    """The element's wsu:Id, set to ``fallback`` when it has none."""
    ident = element.get(_WSU_ID)
    if ident is None:
        element.set(_WSU_ID, fallback)
        return fallback
    return ident


def _with_wsu_declared(root: etree._Element) -> etree._Element:
    """Return ``root``, rebuilt when needed so that ``wsu`` is declared once on the Envelope.

    lxml cannot add a declaration to an existing element; without this every element that gets
    a wsu:Id would carry its own ``xmlns:ns0``. Rebuilding keeps every existing declaration (so
    QName-valued content such as xsi:type keeps resolving) and moves the children unchanged.
    """
    if WSU in root.nsmap.values():
        return root
    nsmap: dict[str | None, str] = dict(root.nsmap)
    prefix = "wsu" if "wsu" not in nsmap else "wsu1"
    nsmap[prefix] = WSU
    attrib: dict[str, str] = {str(k): str(v) for k, v in root.attrib.items()}
    new_root = etree.Element(root.tag, attrib, nsmap=nsmap)  # type: ignore[arg-type]
    new_root.text = root.text
    for child in list(root):
        new_root.append(child)
    return new_root
