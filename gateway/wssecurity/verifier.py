"""brug's verification policy for incoming signed SOAP messages.

zeep's own check verifies *a* signature with the configured certificate and stops there: it
does not ask what was signed, whether the Timestamp is fresh, or whether the Body the
application reads is the one the signature covers. This module is the policy brug applies
instead, in this order (cheap structural checks before any cryptography):

1. hardened parse (no DTD, size and depth caps);
2. SOAP layout: one Body, at most one Header, exactly one Security header addressed to us,
   exactly one ds:Signature in it;
3. every Id in the document unique; SignedInfo uses only the profile's algorithms and
   transforms; every reference is a bare ``#id`` resolving to an element in an accepted
   position; every part the profile requires is covered;
4. Timestamp freshness;
5. the token: type allowed by the profile, certificate chain to the TrustStore, dates,
   key usage, pins;
6. the signature value over SignedInfo, then every digest;
7. the replay cache (last, so forged messages cannot fill it);
8. the Body handed to the application is re-parsed from the signed canonical bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from cryptography import x509
from lxml import etree

from gateway.wssecurity.algorithms import (
    C14N_URIS,
    DIGEST_BY_URI,
    DIGESTS,
    KNOWN_DANGEROUS,
    SIGNATURE_BY_URI,
    TRANSFORM_URIS,
    DigestAlgorithm,
    SignatureAlgorithm,
    digest,
    exc_c14n,
    verify,
)
from gateway.wssecurity.envelope import security_headers, soap_parts
from gateway.wssecurity.faults import (
    FAILED_CHECK,
    INVALID_SECURITY,
    INVALID_SECURITY_TOKEN,
    WSSecurityFault,
)
from gateway.wssecurity.ns import (
    DS,
    DS_SIGNATURE,
    EC,
    WSSE11,
    WSSE_BST,
    WSSE_REFERENCE,
    WSSE_STR,
    WSU_CREATED,
    WSU_EXPIRES,
    WSU_TIMESTAMP,
    q,
)
from gateway.wssecurity.profiles import Profile
from gateway.wssecurity.references import (
    BODY,
    TIMESTAMP,
    TOKEN,
    classify,
    id_index,
    parse_reference_uri,
)
from gateway.wssecurity.replay import InMemoryReplayCache, ReplayCache
from gateway.wssecurity.timestamp import TimestampValues, check_freshness, parse_time
from gateway.wssecurity.tokens import decode_token
from gateway.wssecurity.trust import Pin, TrustStore, check_pins, normalise_pin
from gateway.xml.safe_parser import ParseLimits, UnsafeXmlError, parse_xml

Clock = Callable[[], datetime]

_SIGNED_INFO = q(DS, "SignedInfo")
_C14N_METHOD = q(DS, "CanonicalizationMethod")
_SIG_METHOD = q(DS, "SignatureMethod")
_REFERENCE = q(DS, "Reference")
_TRANSFORMS = q(DS, "Transforms")
_TRANSFORM = q(DS, "Transform")
_DIGEST_METHOD = q(DS, "DigestMethod")
_DIGEST_VALUE = q(DS, "DigestValue")
_SIG_VALUE = q(DS, "SignatureValue")
_KEY_INFO = q(DS, "KeyInfo")
_INCLUSIVE_NS = q(EC, "InclusiveNamespaces")
_WSSE11_TOKEN_TYPE = q(WSSE11, "TokenType")
_SIGNATURE_LAYOUTS = ([_SIGNED_INFO, _SIG_VALUE, _KEY_INFO], [_SIGNED_INFO, _SIG_VALUE])


@dataclass(frozen=True, slots=True)
class VerifiedMessage:
    """What the application may rely on after :meth:`Verifier.verify` succeeded.

    Read the payload from ``body``: it is re-parsed from the canonical bytes the signature covers.
    ``envelope`` is the received Envelope with its Body replaced by that same element.
    """

    envelope: etree._Element
    body: etree._Element
    signed_parts: list[str]
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    created: datetime | None
    expires: datetime | None
    signature_value: bytes = field(repr=False)
    signature_algorithm: str
    soap_version: Literal["1.1", "1.2"]
    profile: str


@dataclass(frozen=True, slots=True)
class _Reference:
    element: etree._Element
    part: str
    digest: DigestAlgorithm
    value: bytes
    prefixes: tuple[str, ...]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _b64(text: str | None, what: str, code: str = INVALID_SECURITY) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise WSSecurityFault(code, f"{what} is not valid base64") from None


def _algorithm_uri(element: etree._Element | None, what: str, ident: str = "") -> str:
    uri = element.get("Algorithm") if element is not None else None
    if not uri:
        raise WSSecurityFault(INVALID_SECURITY, f"{what}{ident} has no Algorithm")
    if uri in KNOWN_DANGEROUS:
        raise WSSecurityFault(INVALID_SECURITY, f"{KNOWN_DANGEROUS[uri]} ({what}{ident})")
    return uri


def _prefix_list(method: etree._Element) -> tuple[str, ...]:
    children = list(method.iterchildren(etree.Element))
    if not children:
        return ()
    if len(children) > 1 or children[0].tag != _INCLUSIVE_NS:
        raise WSSecurityFault(INVALID_SECURITY, "unexpected content in a C14N method")
    return tuple((children[0].get("PrefixList") or "").split())


class Verifier:
    """Verify incoming messages against one profile, trust store and replay cache."""

    def __init__(
        self,
        profile: Profile,
        trust: TrustStore,
        pins: Iterable[Pin] = (),
        replay_cache: ReplayCache | None = None,
        clock: Clock | None = None,
        *,
        actor: str | None = None,
        limits: ParseLimits | None = None,
    ) -> None:
        self.profile = profile
        self.trust = trust
        self.pins = frozenset(normalise_pin(p) for p in pins)
        # No cache given means a private one, never none: replay protection is not optional.
        self._clock = clock or _utc_now
        self.replay_cache: ReplayCache = (
            replay_cache if replay_cache is not None else InMemoryReplayCache(clock=self._clock)
        )
        self._actor = actor if actor is not None else profile.actor
        self._limits = limits or ParseLimits(profile.max_message_bytes, profile.max_depth)
        self._allowed_sig = {
            s.uri for s in SIGNATURE_BY_URI.values() if s.name in profile.signature_algorithms
        }
        self._allowed_digest = {DIGESTS[d].uri for d in profile.digest_algorithms}
        self._allowed_c14n = {C14N_URIS[c] for c in profile.c14n_algorithms}
        self._allowed_transforms = {TRANSFORM_URIS[t] for t in profile.transform_algorithms}

    # -- entry point -------------------------------------------------------------------------

    def verify(self, envelope: bytes) -> VerifiedMessage:
        """Apply the whole policy; raise :class:`WSSecurityFault` on the first broken rule."""
        now = self._clock().astimezone(UTC)
        try:
            root = parse_xml(envelope, self._limits)
        except UnsafeXmlError as exc:
            rules = ", ".join(v.rule for v in exc.violations)
            detail = "; ".join(v.message for v in exc.violations)
            raise WSSecurityFault(
                INVALID_SECURITY, f"the message was refused by the XML parser ({rules}): {detail}"
            ) from None
        return self.verify_element(root, now)

    def verify_element(self, root: etree._Element, now: datetime | None = None) -> VerifiedMessage:
        """Verify an already (safely) parsed Envelope."""
        now = (now or self._clock()).astimezone(UTC)
        parts = soap_parts(root)
        securities = security_headers(parts, self._actor)
        if len(securities) != 1:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"expected exactly one wsse:Security header addressed to us, found "
                f"{len(securities)}",
            )
        security = securities[0]
        signatures = [c for c in security if c.tag == DS_SIGNATURE]
        if len(signatures) != 1:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"expected exactly one ds:Signature in the Security header, found "
                f"{len(signatures)}",
            )
        signature = signatures[0]
        ids = id_index(root)

        signed_info, sig_alg, c14n_prefixes, references = self._signed_info(
            signature, ids, parts.body, parts.header, security
        )
        covered = [r.part for r in references]
        missing = [p for p in self.profile.required_signed_parts if p not in covered]
        if missing:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"profile {self.profile.name} requires {', '.join(missing)} to be signed",
            )

        ts_values = self._timestamp(security)
        if ts_values is not None:
            check_freshness(ts_values, self.profile, now)

        bst = self._token_element(signature, ids, security)
        if TOKEN in self.profile.required_signed_parts and not any(
            r.element is bst for r in references
        ):
            raise WSSecurityFault(
                INVALID_SECURITY,
                "the BinarySecurityToken that KeyInfo points to is not the one that was signed",
            )
        value_type = bst.get("ValueType") or ""
        if value_type not in self.profile.accepted_token_value_types:
            raise WSSecurityFault(
                INVALID_SECURITY_TOKEN,
                f"token type {value_type or '(none)'} is not accepted by profile "
                f"{self.profile.name}",
            )
        leaf, intermediates = decode_token(value_type, bst.text or "")
        chain = self.trust.validate(leaf, intermediates, now)
        check_pins(leaf, self.pins)

        sig_value = _b64(signature.findtext(_SIG_VALUE), "SignatureValue", FAILED_CHECK)
        if not verify(sig_alg, leaf.public_key(), sig_value, exc_c14n(signed_info, c14n_prefixes)):
            raise WSSecurityFault(
                FAILED_CHECK, "the signature value does not verify with the sender's certificate"
            )
        body_bytes = b""
        for ref in references:
            data = exc_c14n(ref.element, ref.prefixes)
            if not hmac.compare_digest(digest(ref.digest, data), ref.value):
                raise WSSecurityFault(
                    FAILED_CHECK,
                    f"the digest of the signed {_part_label(ref.part)} does not match: it was "
                    "changed after signing",
                )
            if ref.part == BODY:
                body_bytes = data

        self._check_replay(sig_value, ts_values, now)

        if body_bytes and _HAS_COMMENT_OR_PI(parts.body):
            # exc-C14N drops comments and PIs: the tree may hold text the signature does not
            # cover (a comment splitting a signed text node); read the signed bytes instead.
            body = _reparse_signed(body_bytes)
            root.replace(parts.body, body)
        elif body_bytes:
            # Without comments or PIs (no DTD, so no entities; CDATA is merged into text by the
            # parser) the Body subtree holds exactly the character data that was canonicalised
            # and digested, so it can be read as is; this skips a re-parse on every message.
            body = parts.body
        else:
            # Only reachable with a profile that does not require a signed Body (none shipped).
            body = parts.body
        return VerifiedMessage(
            envelope=root,
            body=body,
            signed_parts=covered,
            certificate=leaf,
            chain=chain,
            created=ts_values.created if ts_values else None,
            expires=ts_values.expires if ts_values else None,
            signature_value=sig_value,
            signature_algorithm=sig_alg.name,
            soap_version=parts.version,
            profile=self.profile.name,
        )

    # -- pieces ------------------------------------------------------------------------------

    def _signed_info(
        self,
        signature: etree._Element,
        ids: dict[str, etree._Element],
        body: etree._Element,
        header: etree._Element | None,
        security: etree._Element,
    ) -> tuple[etree._Element, SignatureAlgorithm, tuple[str, ...], list[_Reference]]:
        children = list(signature.iterchildren(etree.Element))
        if [c.tag for c in children] not in _SIGNATURE_LAYOUTS:
            raise WSSecurityFault(
                INVALID_SECURITY,
                "ds:Signature must hold SignedInfo, SignatureValue and KeyInfo only "
                "(no ds:Object or Manifest)",
            )
        signed_info = children[0]
        items = list(signed_info.iterchildren(etree.Element))
        if len(items) < 3 or items[0].tag != _C14N_METHOD or items[1].tag != _SIG_METHOD:
            raise WSSecurityFault(
                INVALID_SECURITY,
                "ds:SignedInfo must hold CanonicalizationMethod, SignatureMethod and References",
            )
        c14n_uri = _algorithm_uri(items[0], "CanonicalizationMethod")
        if c14n_uri not in self._allowed_c14n:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"canonicalisation {c14n_uri} is not allowed by profile {self.profile.name}",
            )
        sig_uri = _algorithm_uri(items[1], "SignatureMethod")
        if sig_uri not in self._allowed_sig:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"signature algorithm {sig_uri} is not allowed by profile {self.profile.name}",
            )
        if len(items[1]):
            raise WSSecurityFault(
                INVALID_SECURITY, "SignatureMethod must be empty (no HMAC length)"
            )
        references: list[_Reference] = []
        seen: set[int] = set()
        for item in items[2:]:
            if item.tag != _REFERENCE:
                raise WSSecurityFault(INVALID_SECURITY, "unexpected element in ds:SignedInfo")
            ref = self._reference(item, ids, body, header, security)
            if id(ref.element) in seen:
                raise WSSecurityFault(INVALID_SECURITY, "an element is referenced twice")
            seen.add(id(ref.element))
            references.append(ref)
        return signed_info, SIGNATURE_BY_URI[sig_uri], _prefix_list(items[0]), references

    def _reference(
        self,
        ref: etree._Element,
        ids: dict[str, etree._Element],
        body: etree._Element,
        header: etree._Element | None,
        security: etree._Element,
    ) -> _Reference:
        ident = parse_reference_uri(ref.get("URI"))
        children = list(ref.iterchildren(etree.Element))
        tags = [c.tag for c in children]
        if tags != [_TRANSFORMS, _DIGEST_METHOD, _DIGEST_VALUE]:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"reference #{ident} must hold Transforms, DigestMethod and DigestValue",
            )
        transforms = list(children[0].iterchildren(etree.Element))
        prefixes: tuple[str, ...] = ()
        if len(transforms) != 1 or transforms[0].tag != _TRANSFORM:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"reference #{ident} must use exactly one canonicalisation transform",
            )
        for transform in transforms:
            uri = _algorithm_uri(transform, "transform of reference #", ident)
            if uri not in self._allowed_transforms:
                raise WSSecurityFault(
                    INVALID_SECURITY,
                    f"transform {uri} is not allowed by profile {self.profile.name}",
                )
            prefixes = _prefix_list(transform)
        digest_uri = _algorithm_uri(children[1], "DigestMethod of reference #", ident)
        if digest_uri not in self._allowed_digest:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"digest algorithm {digest_uri} is not allowed by profile {self.profile.name}",
            )
        value = _b64(children[2].text, f"DigestValue of reference #{ident}")
        element = ids.get(ident)
        if element is None:
            raise WSSecurityFault(
                INVALID_SECURITY, f"reference #{ident} does not resolve to an element"
            )
        part = classify(element, body, header, security)
        return _Reference(element, part, DIGEST_BY_URI[digest_uri], value, prefixes)

    def _timestamp(self, security: etree._Element) -> TimestampValues | None:
        stamps = [c for c in security if c.tag == WSU_TIMESTAMP]
        if len(stamps) > 1:
            raise WSSecurityFault(INVALID_SECURITY, "more than one wsu:Timestamp")
        if not stamps:
            if self.profile.timestamp_required:
                raise WSSecurityFault(
                    INVALID_SECURITY, f"profile {self.profile.name} requires a wsu:Timestamp"
                )
            return None
        ts = stamps[0]
        created = parse_time(ts.findtext(WSU_CREATED), "Created")
        expires_text = ts.findtext(WSU_EXPIRES)
        expires = parse_time(expires_text, "Expires") if expires_text is not None else None
        return TimestampValues(created, expires)

    def _token_element(
        self, signature: etree._Element, ids: dict[str, etree._Element], security: etree._Element
    ) -> etree._Element:
        key_info = signature.find(_KEY_INFO)
        strs = [] if key_info is None else list(key_info.iter(WSSE_STR))
        refs = [] if len(strs) != 1 else strs[0].findall(WSSE_REFERENCE)
        if len(refs) != 1:
            raise WSSecurityFault(
                INVALID_SECURITY_TOKEN,
                "KeyInfo must be one SecurityTokenReference with a direct Reference to a "
                "BinarySecurityToken",
            )
        ident = parse_reference_uri(refs[0].get("URI"))
        bst = ids.get(ident)
        if bst is None or bst.tag != WSSE_BST or bst.getparent() is not security:
            raise WSSecurityFault(
                INVALID_SECURITY_TOKEN,
                f"the token reference #{ident} is not a BinarySecurityToken in our Security header",
            )
        ref_type = refs[0].get("ValueType")
        str_type = strs[0].get(_WSSE11_TOKEN_TYPE)
        if (ref_type is not None and ref_type != bst.get("ValueType")) or (
            str_type is not None and str_type != bst.get("ValueType")
        ):
            raise WSSecurityFault(
                INVALID_SECURITY_TOKEN, "the token reference ValueType differs from the token's"
            )
        encoding = bst.get("EncodingType")
        if encoding is not None and not encoding.endswith("#Base64Binary"):
            raise WSSecurityFault(INVALID_SECURITY_TOKEN, "the token must be Base64Binary encoded")
        return bst

    def _check_replay(self, sig_value: bytes, ts: TimestampValues | None, now: datetime) -> None:
        if ts is not None and ts.expires is not None:
            until = ts.expires
        elif ts is not None:
            until = ts.created + timedelta(seconds=self.profile.max_age_seconds)
        else:
            until = now + timedelta(seconds=self.profile.max_age_seconds)
        until += timedelta(seconds=self.profile.clock_skew_seconds)
        key = hashlib.sha256(sig_value).hexdigest()
        if not self.replay_cache.check_and_store(key, until):
            raise WSSecurityFault(
                INVALID_SECURITY, "this message was already received (replayed signature)"
            )


_HAS_COMMENT_OR_PI: Final = etree.XPath("boolean(.//comment() | .//processing-instruction())")
_reparse_local = threading.local()


def _reparse_signed(canonical: bytes) -> etree._Element:
    """Parse canonical bytes brug produced itself from an already size- and depth-checked tree.

    Exclusive C14N output never holds a DOCTYPE, entity reference or comment, and its nesting
    is that of the checked tree, so the parser flags match ``gateway.xml.safe_parser`` without
    repeating its (Python-level) depth walk: the re-parse is on the hot path of every message.
    """
    parser: etree.XMLParser | None = getattr(_reparse_local, "parser", None)
    if parser is None:  # one per thread: lxml parsers must not be shared across threads
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            collect_ids=False,
        )
        _reparse_local.parser = parser
    return etree.fromstring(canonical, parser=parser)


def _part_label(part: str) -> str:
    if part in (BODY, TIMESTAMP, TOKEN):
        return part
    return etree.QName(part).localname
