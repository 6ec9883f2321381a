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

Every message pays for all of this, so the success path does as little Python work as the
rules allow (issue 3: verify within 2x the cryptographic floor), without dropping any of them:

* one compiled XPath collects every Id-like attribute for the uniqueness check
  (:class:`~gateway.wssecurity.references.IdIndex`);
* the usual Envelope, Signature and KeyInfo layouts are recognised in one step each, and
  anything unusual goes through the general code, which accepts it or words the refusal;
* a SignedInfo laid out like one that already passed every rule is checked by matching its
  canonical bytes, which the signature check needs anyway, against that layout
  (:class:`_Shape` explains why that is the same check); the rest of rule 3 (Id resolution,
  positions, nothing referenced twice) runs on every message;
* the trust decision about a token (chain, key usage, pins) is reused for the same token,
  TrustStore and pins, with the chain's validity window compared with ``now`` on every
  message (:class:`_TrustedSigner`);
* durations, algorithm parameters and tag names are computed once, and fault reasons are only
  formatted when a rule is broken.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import re
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
from gateway.wssecurity.envelope import security_headers, soap_parts, targets_us
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
    ENVELOPE_TAGS,
    SOAP11,
    SOAP_TAGS,
    WSSE11,
    WSSE_BST,
    WSSE_REFERENCE,
    WSSE_SECURITY,
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
    IdIndex,
    classify,
    parse_reference_uri,
    position,
)
from gateway.wssecurity.replay import InMemoryReplayCache, ReplayCache
from gateway.wssecurity.timestamp import Freshness, TimestampValues, parse_time
from gateway.wssecurity.tokens import decode_token
from gateway.wssecurity.tree import child_nodes
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

# Bound of the per-Verifier trusted-token cache: a partner sends one certificate (two around a
# renewal), so a few hundred entries cover every partner many times over; the bound only stops
# a sender cycling through valid certificates from growing memory.
_TRUSTED_SIGNERS_MAX: Final = 256


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


# One verified reference: (element, part, digest algorithm, DigestValue, inclusive prefixes).
# A plain tuple, not a dataclass: three are built for every message (a third of the cost).
_Reference = tuple[etree._Element, str, DigestAlgorithm, bytes, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _TrustedSigner:
    """The outcome of the whole trust decision about one exact token, for reuse.

    Deciding trust (decode the token, build and check the chain against the store, key usage,
    pins) gives the same answer for the same certificates, store and pins at any moment inside
    the validity window of every certificate of the chain; only that window depends on time.
    So the cache key is everything the decision depended on (the token's type and exact text,
    which fixes the DER bytes of every certificate presented; the TrustStore object, which is
    immutable; the pin set), and ``not_before``/``not_after`` (the tightest bounds over the
    validated chain, leaf included) are compared with ``now`` on every message.
    """

    leaf: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    public_key: object
    not_before: datetime
    not_after: datetime


# "Nothing served yet" for the last-token shortcut: its key never equals a real one (the
# TrustStore slot holds None) and its window is empty.
_NO_SIGNER: Final[tuple[tuple[object, ...], _TrustedSigner]] = (
    (None, None, None, None),
    _TrustedSigner(
        None,  # type: ignore[arg-type]
        (),
        None,
        datetime.max.replace(tzinfo=UTC),
        datetime.min.replace(tzinfo=UTC),
    ),
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _b64(text: str | None) -> bytes | None:
    """Strict base64 (whitespace allowed, as XML-DSig wraps long values); None when invalid.

    The common unwrapped value takes one C call; only wrapped or invalid text takes the
    normalising second try. Callers format their fault reason only when this returns None.
    """
    if text is None:
        return b""
    try:  # exactly base64.b64decode(..., validate=True), without its Python-level wrapping
        return binascii.a2b_base64(text, strict_mode=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        pass
    try:
        return binascii.a2b_base64("".join(text.split()), strict_mode=True)
    except ValueError:
        return None


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


def _element_children(parent: etree._Element) -> tuple[list[etree._Element], list[object]]:
    """The element children of ``parent`` and their tags (comments and PIs skipped, as exc-C14N
    skips them).

    ``child_nodes`` is one C call and each tag is read once, for the caller's layout comparison
    too; the filtering list is only built when a comment or PI is actually there.
    """
    children = child_nodes(parent)
    tags: list[object] = [c.tag for c in children]
    for tag in tags:
        if not isinstance(tag, str):
            children = [c for c, t in zip(children, tags, strict=True) if isinstance(t, str)]
            return children, [c.tag for c in children]
    return children, tags


# What may fill a hole of a _Shape: an Id as BARE_ID allows it, and base64 text. Neither class
# holds a character that is markup in canonical XML (< > & " ' or whitespace).
_ID_HOLE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_B64_HOLE: Final = re.compile(r"[A-Za-z0-9+/=]+")
_ID_GROUP: Final = rb"([A-Za-z_][A-Za-z0-9_.\-]*)"
_B64_GROUP: Final = rb"([A-Za-z0-9+/=]+)"
# SignedInfo layouts remembered per Verifier: one per partner stack is the norm; the bound keeps
# a sender varying its layout from growing memory or the per-message comparisons.
_SHAPES_MAX: Final = 8


@dataclass(frozen=True, slots=True)
class _Shape:
    """The exclusive canonical form of a SignedInfo that passed every rule, as a pattern with a
    hole for each value that differs per message: each reference's Id (after ``URI="#``) and
    DigestValue text. Rule 3's structural checks then cost one regular expression match.

    Why a full match stands for those checks: exclusive C14N (which the signature is verified
    over anyway) writes out every element with its namespace, every attribute and every text
    node of SignedInfo, in order; it leaves out comments, and a SignedInfo holding one never
    takes this path (:func:`_has_comment`). A hole only matches Id or base64 characters, none
    of them markup, so whatever fills the holes, the bytes parse into the same elements,
    attributes and text as the accepted SignedInfo, except the URIs' Ids and the digests, and
    these equal what :meth:`Verifier._reference` reads from the tree (an attribute value, or
    the whole text of a DigestValue without comments or children). The rules' verdict on such
    a SignedInfo is the accepted one's, given its own Ids and digests, and what depends on
    those (resolution, position, nothing referenced twice, base64) is checked per message.
    Per Verifier, so the allow-lists that accepted a shape are the ones in force; learnt only
    from messages that passed every rule. The pattern is literal text and character classes
    each followed by a character outside the class: it matches in linear time.
    """

    pattern: re.Pattern[bytes]
    c14n_prefixes: tuple[str, ...]
    algorithm: SignatureAlgorithm
    references: tuple[tuple[DigestAlgorithm, tuple[str, ...]], ...]
    # The part each reference resolved to in the accepted message. A message whose references
    # resolve elsewhere (another order, another header block) takes the full rules instead,
    # so the per-message position check is a comparison with what the part must be.
    parts: tuple[str, ...]


def _has_comment(element: etree._Element) -> bool:
    """True when ``element``'s subtree holds a comment (walked in C, see below)."""
    for _ in element.iter(etree.Comment):
        return True
    return False


def _has_comment_or_pi(element: etree._Element) -> bool:
    """True when ``element``'s subtree holds a comment or processing instruction.

    ``iter`` with node-type filters walks in C and only wraps a match in a Python object.
    """
    for _ in element.iter(etree.Comment, etree.ProcessingInstruction):
        return True
    return False


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
        self._limits = limits or ParseLimits(
            profile.max_message_bytes, profile.max_depth, profile.max_elements
        )
        self._allowed_sig = {
            s.uri for s in SIGNATURE_BY_URI.values() if s.name in profile.signature_algorithms
        }
        self._allowed_digest = {DIGESTS[d].uri for d in profile.digest_algorithms}
        self._allowed_c14n = {C14N_URIS[c] for c in profile.c14n_algorithms}
        self._allowed_transforms = {TRANSFORM_URIS[t] for t in profile.transform_algorithms}
        # Per-message constants, computed once.
        self._required = profile.required_signed_parts
        self._token_required = TOKEN in profile.required_signed_parts
        self._token_types = profile.accepted_token_value_types
        self._freshness = Freshness(profile)
        self._max_age = timedelta(seconds=profile.max_age_seconds)
        self._skew = timedelta(seconds=profile.clock_skew_seconds)
        self._trusted: dict[tuple[object, ...], _TrustedSigner] = {}
        self._trusted_lock = threading.Lock()
        self._last_trusted: tuple[tuple[object, ...], _TrustedSigner] = _NO_SIGNER
        self._shapes: tuple[_Shape, ...] = ()

    # -- entry point -------------------------------------------------------------------------

    def verify(self, envelope: bytes) -> VerifiedMessage:
        """Apply the whole policy; raise :class:`WSSecurityFault` on the first broken rule."""
        now = self._clock()
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
        """Verify an already (safely) parsed Envelope.

        The tree is only read, except when the Body holds a comment or processing instruction:
        then the Body is replaced by the one re-parsed from the signed bytes (rule 8).
        """
        now = now or self._clock()
        if now.tzinfo is not UTC:
            now = now.astimezone(UTC)
        version, header, body, security = self._layout(root)
        signatures: list[etree._Element] = []
        stamps: list[etree._Element] = []
        for child in child_nodes(security):  # one pass for both the Signature and the Timestamp
            tag = child.tag
            if tag == DS_SIGNATURE:
                signatures.append(child)
            elif tag == WSU_TIMESTAMP:
                stamps.append(child)
        if len(signatures) != 1:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"expected exactly one ds:Signature in the Security header, found "
                f"{len(signatures)}",
            )
        signature = signatures[0]
        ids = IdIndex(root)

        sig_children = child_nodes(signature)
        if len(sig_children) != 3 or (
            sig_children[0].tag != _SIGNED_INFO
            or sig_children[1].tag != _SIG_VALUE
            or sig_children[2].tag != _KEY_INFO
        ):  # not the usual three: comments to skip, no KeyInfo, or a refusal
            sig_children, sig_tags = _element_children(signature)
            if sig_tags not in _SIGNATURE_LAYOUTS:
                raise WSSecurityFault(
                    INVALID_SECURITY,
                    "ds:Signature must hold SignedInfo, SignatureValue and KeyInfo only "
                    "(no ds:Object or Manifest)",
                )
        signed_info = sig_children[0]
        # A SignedInfo laid out like one that passed every rule before (every message of a
        # partner after its first), else the full rules, which accept it or word the refusal.
        shaped = self._by_shape(signed_info, ids, body, header, security)
        if shaped is not None:
            sig_alg, c14n_prefixes, references, signed_bytes = shaped
        else:
            signed_info, sig_alg, c14n_prefixes, references = self._signed_info(
                signed_info, ids, body, header, security
            )
            signed_bytes = exc_c14n(signed_info, c14n_prefixes)
        covered = [r[1] for r in references]
        for part in self._required:
            if part not in covered:
                missing = [p for p in self._required if p not in covered]
                raise WSSecurityFault(
                    INVALID_SECURITY,
                    f"profile {self.profile.name} requires {', '.join(missing)} to be signed",
                )

        ts_values = self._timestamp(stamps)
        if ts_values is not None:
            self._freshness.check(ts_values, now)

        key_info = sig_children[2] if len(sig_children) == 3 else None
        bst, value_type = self._token_element(key_info, ids, security)
        if self._token_required:
            for r in references:
                if r[0] is bst:
                    break
            else:
                raise WSSecurityFault(
                    INVALID_SECURITY,
                    "the BinarySecurityToken that KeyInfo points to is not the one that was signed",
                )
        trusted = self._trusted_signer(bst, value_type or "", now)

        sig_value = _b64(sig_children[1].text)
        if sig_value is None:
            raise WSSecurityFault(FAILED_CHECK, "SignatureValue is not valid base64")
        if not verify(sig_alg, trusted.public_key, sig_value, signed_bytes):
            raise WSSecurityFault(
                FAILED_CHECK, "the signature value does not verify with the sender's certificate"
            )
        body_bytes = b""
        for element, part, algorithm, value, prefixes in references:
            data = exc_c14n(element, prefixes)
            if not hmac.compare_digest(digest(algorithm, data), value):
                raise WSSecurityFault(
                    FAILED_CHECK,
                    f"the digest of the signed {_part_label(part)} does not match: it was "
                    "changed after signing",
                )
            if part == BODY:
                body_bytes = data

        self._check_replay(sig_value, ts_values, now)
        if shaped is None:  # learnt only from a message that passed every rule
            self._learn_shape(signed_info, signed_bytes, sig_alg, c14n_prefixes, references)

        if body_bytes and _has_comment_or_pi(body):
            # exc-C14N drops comments and PIs: the tree may hold text the signature does not
            # cover (a comment splitting a signed text node); read the signed bytes instead.
            signed_body = _reparse_signed(body_bytes)
            root.replace(body, signed_body)
            body = signed_body
        # Otherwise (no DTD, so no entities; CDATA is merged into text by the parser) the Body
        # subtree holds exactly the character data that was canonicalised and digested, so it
        # is read as is, which skips a re-parse on every message. Without a signed Body (only
        # with a profile that does not require one; none shipped) there is nothing to re-read.
        return VerifiedMessage(
            envelope=root,
            body=body,
            signed_parts=covered,
            certificate=trusted.leaf,
            chain=trusted.chain,
            created=ts_values.created if ts_values else None,
            expires=ts_values.expires if ts_values else None,
            signature_value=sig_value,
            signature_algorithm=sig_alg.name,
            soap_version=version,
            profile=self.profile.name,
        )

    # -- pieces ------------------------------------------------------------------------------

    def _layout(
        self, root: etree._Element
    ) -> tuple[Literal["1.1", "1.2"], etree._Element | None, etree._Element, etree._Element]:
        """SOAP version, Header, Body and the one Security header addressed to us (rule 2).

        The usual Envelope (exactly a Header then a Body) is recognised with one slice of the
        root's children; anything else goes through :func:`soap_parts`, which accepts or words
        the refusal exactly as it always did.
        """
        tag = root.tag
        ns = ENVELOPE_TAGS.get(tag) if isinstance(tag, str) else None
        children = child_nodes(root)
        header: etree._Element | None
        if (
            ns is not None
            and len(children) == 2
            and children[0].tag == SOAP_TAGS[ns][0]
            and children[1].tag == SOAP_TAGS[ns][1]
        ):
            version: Literal["1.1", "1.2"] = "1.1" if ns == SOAP11 else "1.2"
            header, body = children
            securities = []
            for block in child_nodes(header):
                if block.tag == WSSE_SECURITY and targets_us(block, ns, self._actor):
                    securities.append(block)
        else:
            parts = soap_parts(root)
            version, header, body = parts.version, parts.header, parts.body
            securities = security_headers(parts, self._actor)
        if len(securities) != 1:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"expected exactly one wsse:Security header addressed to us, found "
                f"{len(securities)}",
            )
        return version, header, body, securities[0]

    def _by_shape(
        self,
        signed_info: etree._Element,
        ids: IdIndex,
        body: etree._Element,
        header: etree._Element | None,
        security: etree._Element,
    ) -> tuple[SignatureAlgorithm, tuple[str, ...], list[_Reference], bytes] | None:
        """Rule 3 for a SignedInfo laid out like a known :class:`_Shape`, or None.

        The canonical SignedInfo (which the signature is checked over anyway) must match a
        shape in full; its holes give this message's Ids and digests. What differs per message
        is then checked as :meth:`_reference` checks it: each Id resolves to an element in an
        accepted position, no element is referenced twice, each digest is strict base64. This
        never refuses: None sends the message to :meth:`_signed_info`, which accepts it or
        words the refusal. Returns the canonical SignedInfo too, for the signature check.
        """
        shapes = self._shapes
        if not shapes or _has_comment(signed_info):
            return None
        canonical: dict[tuple[str, ...], bytes] = {}
        for shape in shapes:
            signed_bytes = canonical.get(shape.c14n_prefixes)
            if signed_bytes is None:
                signed_bytes = exc_c14n(signed_info, shape.c14n_prefixes)
                canonical[shape.c14n_prefixes] = signed_bytes
            match = shape.pattern.fullmatch(signed_bytes)
            if match is not None:
                break
        else:
            return None
        holes = match.groups()
        by_id = ids.by_id
        references: list[_Reference] = []
        for i, part in enumerate(shape.parts):
            owner = by_id.get(holes[2 * i].decode("ascii"))
            if owner is None:
                return None
            element: etree._Element = owner.getparent()  # type: ignore[assignment]
            if position(element, body, header, security) != part:
                return None
            try:
                value = binascii.a2b_base64(holes[2 * i + 1], strict_mode=True)
            except ValueError:
                return None
            algorithm, prefixes = shape.references[i]
            references.append((element, part, algorithm, value, prefixes))
        if len({id(r[0]) for r in references}) != len(references):
            return None  # one element referenced twice: the full rules word the refusal
        return shape.algorithm, shape.c14n_prefixes, references, signed_bytes

    def _learn_shape(
        self,
        signed_info: etree._Element,
        signed_bytes: bytes,
        algorithm: SignatureAlgorithm,
        c14n_prefixes: tuple[str, ...],
        references: list[_Reference],
    ) -> None:
        """Remember the layout of a SignedInfo that just passed every rule (see :class:`_Shape`).

        Learnt only when each Id and DigestValue is markup-free and found exactly once in the
        canonical bytes, so each hole sits exactly where its value is; otherwise this layout
        keeps going through the full rules, which is merely slower.
        """
        if _has_comment(signed_info):
            return
        items = list(signed_info.iterchildren(_REFERENCE))
        if len(items) != len(references):
            return
        pattern: list[bytes] = []
        start = 0
        for item in items:
            uri = item.get("URI") or ""
            value_el = item.find(_DIGEST_VALUE)
            text = (value_el.text if value_el is not None else None) or ""
            if not (
                uri.startswith("#") and _ID_HOLE.fullmatch(uri[1:]) and _B64_HOLE.fullmatch(text)
            ):
                return
            for before, hole, after, group in (
                (b'URI="#', uri[1:].encode("ascii"), b'"', _ID_GROUP),
                (b">", text.encode("ascii"), b"</", _B64_GROUP),
            ):
                needle = before + hole + after
                at = signed_bytes.find(needle, start)
                if at < 0 or signed_bytes.count(needle) != 1:
                    return
                hole_at = at + len(before)
                pattern.append(re.escape(signed_bytes[start:hole_at]))
                pattern.append(group)
                start = hole_at + len(hole)
        pattern.append(re.escape(signed_bytes[start:]))
        shape = _Shape(
            re.compile(b"".join(pattern)),
            c14n_prefixes,
            algorithm,
            tuple((r[2], r[4]) for r in references),
            tuple(r[1] for r in references),
        )
        if shape not in self._shapes:
            # One assignment of a new tuple: concurrent readers see the old or the new one.
            self._shapes = (shape, *self._shapes)[:_SHAPES_MAX]

    def _signed_info(
        self,
        signed_info: etree._Element,
        ids: IdIndex,
        body: etree._Element,
        header: etree._Element | None,
        security: etree._Element,
    ) -> tuple[etree._Element, SignatureAlgorithm, tuple[str, ...], list[_Reference]]:
        """Rule 3 in full, node by node: accept the SignedInfo or word why not."""
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
            if id(ref[0]) in seen:
                raise WSSecurityFault(INVALID_SECURITY, "an element is referenced twice")
            seen.add(id(ref[0]))
            references.append(ref)
        return signed_info, SIGNATURE_BY_URI[sig_uri], _prefix_list(items[0]), references

    def _reference(
        self,
        ref: etree._Element,
        ids: IdIndex,
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
        value = _b64(children[2].text)
        if value is None:
            raise WSSecurityFault(
                INVALID_SECURITY, f"DigestValue of reference #{ident} is not valid base64"
            )
        element = ids.get(ident)
        if element is None:
            raise WSSecurityFault(
                INVALID_SECURITY, f"reference #{ident} does not resolve to an element"
            )
        part = classify(element, body, header, security)
        return (element, part, DIGEST_BY_URI[digest_uri], value, prefixes)

    def _timestamp(self, stamps: list[etree._Element]) -> TimestampValues | None:
        if len(stamps) > 1:
            raise WSSecurityFault(INVALID_SECURITY, "more than one wsu:Timestamp")
        if not stamps:
            if self.profile.timestamp_required:
                raise WSSecurityFault(
                    INVALID_SECURITY, f"profile {self.profile.name} requires a wsu:Timestamp"
                )
            return None
        created_text: str | None = None
        expires_text: str | None = None
        for child in child_nodes(stamps[0]):  # the first Created and the first Expires, as findtext
            tag = child.tag
            if tag == WSU_CREATED:
                if created_text is None:
                    created_text = child.text or ""
            elif tag == WSU_EXPIRES and expires_text is None:
                expires_text = child.text or ""
        created = parse_time(created_text, "Created")
        expires = parse_time(expires_text, "Expires") if expires_text is not None else None
        return TimestampValues(created, expires)

    def _token_element(
        self, key_info: etree._Element | None, ids: IdIndex, security: etree._Element
    ) -> tuple[etree._Element, str | None]:
        """The BinarySecurityToken KeyInfo points to, and its ValueType."""
        strs: list[etree._Element] = []
        refs: list[etree._Element] = []
        if key_info is not None:
            # The usual KeyInfo is exactly STR/Reference with nothing inside the Reference:
            # then that STR is the only one in KeyInfo, as the general search would find.
            strs = child_nodes(key_info)
            refs = child_nodes(strs[0]) if len(strs) == 1 and strs[0].tag == WSSE_STR else []
            if len(refs) != 1 or refs[0].tag != WSSE_REFERENCE or len(refs[0]):
                strs = list(key_info.iter(WSSE_STR))
                refs = (
                    []
                    if len(strs) != 1
                    else [c for c in child_nodes(strs[0]) if c.tag == WSSE_REFERENCE]
                )
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
        value_type = bst.get("ValueType")
        ref_type = refs[0].get("ValueType")
        str_type = strs[0].get(_WSSE11_TOKEN_TYPE)
        if (ref_type is not None and ref_type != value_type) or (
            str_type is not None and str_type != value_type
        ):
            raise WSSecurityFault(
                INVALID_SECURITY_TOKEN, "the token reference ValueType differs from the token's"
            )
        encoding = bst.get("EncodingType")
        if encoding is not None and not encoding.endswith("#Base64Binary"):
            raise WSSecurityFault(INVALID_SECURITY_TOKEN, "the token must be Base64Binary encoded")
        return bst, value_type

    def _trusted_signer(
        self, bst: etree._Element, value_type: str, now: datetime
    ) -> _TrustedSigner:
        """Rule 5 for the token ``bst``: accepted type, trusted chain, dates, key usage, pins.

        Served from the cache only for the same token text, TrustStore and pins, and only while
        ``now`` is inside every certificate's validity window; anything else (first sight,
        expiry, another store or pin set) takes the full path, which also words the fault.
        """
        if value_type not in self._token_types:
            raise WSSecurityFault(
                INVALID_SECURITY_TOKEN,
                f"token type {value_type or '(none)'} is not accepted by profile "
                f"{self.profile.name}",
            )
        text = bst.text or ""
        trust, pins = self.trust, self.pins
        # A partner sends the same token in every message: comparing with the last one served
        # (a length check and a memcmp) spares hashing ~1.5 kB of base64 for the dict lookup.
        last_key, last = self._last_trusted
        if (
            text == last_key[3]
            and value_type == last_key[2]
            and trust is last_key[0]
            and pins is last_key[1]
            and last.not_before <= now <= last.not_after
        ):
            return last
        key = (trust, pins, value_type, text)
        hit = self._trusted.get(key)
        if hit is not None and hit.not_before <= now <= hit.not_after:
            self._last_trusted = (key, hit)
            return hit
        leaf, intermediates = decode_token(value_type, text)
        chain = trust.validate(leaf, intermediates, now)
        check_pins(leaf, pins)
        trusted = _TrustedSigner(
            leaf,
            chain,
            leaf.public_key(),
            max(c.not_valid_before_utc for c in (leaf, *chain)),
            min(c.not_valid_after_utc for c in (leaf, *chain)),
        )
        with self._trusted_lock:
            if len(self._trusted) >= _TRUSTED_SIGNERS_MAX:
                self._trusted.clear()
            self._trusted[key] = trusted
        self._last_trusted = (key, trusted)  # one assignment: threads see old or new pair
        return trusted

    def _check_replay(self, sig_value: bytes, ts: TimestampValues | None, now: datetime) -> None:
        if ts is not None and ts.expires is not None:
            until = ts.expires
        elif ts is not None:
            until = ts.created + self._max_age
        else:
            until = now + self._max_age
        key = hashlib.sha256(sig_value).hexdigest()
        if not self.replay_cache.check_and_store(key, until + self._skew):
            raise WSSecurityFault(
                INVALID_SECURITY, "this message was already received (replayed signature)"
            )


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
