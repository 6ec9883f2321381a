"""Turning a case's request into the bytes sent: signed properly, or broken on purpose.

Each breakage isolates one rule, so that a refusal can only be explained by that rule:

* ``sign: false``: the envelope as built, without any ``wsse:Security`` header;
* ``sign: untrusted``: signed correctly, by a self-signed key no endpoint trusts;
* ``sign: expired-timestamp``: signed correctly an hour ago (Timestamp long expired);
* ``tamper: body``: signed correctly, then one character of the Body's first text changed;
* ``replay``: the same signed bytes sent twice (expectations apply to the second answer);
* ``repeat: same-id``: the same message signed afresh and sent twice (an honest retry);
* ``raw``: not a usable message at all: ``malformed`` (the signed envelope cut short),
  ``xxe`` (a DOCTYPE with an external entity referenced in the Body), ``oversized``
  (a well-formed envelope padded past ``size_bytes``);
* ``header: {purpose: WRONG}``: brug header fields changed before signing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from conformance.endpoint.catalogue import Mutate
from conformance.endpoint.identities import Identity, ephemeral_identity
from conformance.endpoint.templates import apply_values
from gateway.soap.envelope import SoapVersion, build_envelope
from gateway.xml.header import HEADER_NS

_BODY_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Body\b[^>]*>")
XXE_DOCTYPE = b'<!DOCTYPE Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One HTTP request body of a case, with a label for the reports."""

    label: str
    data: bytes


def apply_header(payload: etree._Element, changes: dict[str, str]) -> None:
    """``header: {purpose: WRONG}`` sets ``h:purpose`` in every brug header of the payload."""
    if changes:
        paths = {f"//h:header/h:{local}": value for local, value in changes.items()}
        apply_values(payload, paths, {"h": HEADER_NS})


def _sign(envelope: bytes, how: bool | str, identity: Identity) -> bytes:
    if how is False:
        return envelope
    if how == "untrusted":
        return ephemeral_identity(identity.profile).signer().sign(envelope)
    if how == "expired-timestamp":
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        return identity.signer(clock=lambda: an_hour_ago).sign(envelope)
    return identity.signer().sign(envelope)


def tamper_body(signed: bytes) -> bytes:
    """Change one character of the first non-blank text inside the Body, nothing else."""
    root = etree.fromstring(signed)
    body = next(e for e in root if isinstance(e.tag, str) and etree.QName(e).localname == "Body")
    for element in body.iter(etree.Element):
        text = element.text or ""
        if text.strip():
            last = text.rstrip()[-1]
            changed = "1" if last != "1" else "2"
            element.text = text.rstrip()[:-1] + changed + text[len(text.rstrip()) :]
            return etree.tostring(root, encoding="UTF-8")
    raise ValueError("the Body holds no text to tamper with")


def _xxe(envelope: bytes) -> bytes:
    text = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", envelope)
    match = _BODY_OPEN.search(text)
    if match is None:
        raise ValueError("no Body in the envelope")
    return XXE_DOCTYPE + text[: match.end()] + b"&xxe;" + text[match.end() :]


def _oversized(envelope: bytes, size: int) -> bytes:
    match = _BODY_OPEN.search(envelope)
    if match is None:
        raise ValueError("no Body in the envelope")
    pad = b"<!--" + b"x" * max(size - len(envelope), 0) + b"-->"
    return envelope[: match.end()] + pad + envelope[match.end() :]


def outgoing(
    payload: etree._Element, mutate: Mutate, identity: Identity, version: SoapVersion
) -> list[Outgoing]:
    """The request bodies a case sends, in order."""
    apply_header(payload, mutate.header)
    envelope = build_envelope(payload, version)
    if mutate.raw == "oversized":
        return [Outgoing("oversized", _oversized(envelope, mutate.size_bytes))]
    if mutate.raw == "xxe":
        return [Outgoing("xxe", _xxe(envelope))]
    signed = _sign(envelope, mutate.sign, identity)
    if mutate.raw == "malformed":
        return [Outgoing("malformed", signed[: max(len(signed) * 2 // 3, 1)])]
    if mutate.tamper == "body":
        signed = tamper_body(signed)
    if mutate.replay:
        return [Outgoing("first", signed), Outgoing("replay", signed)]
    if mutate.repeat == "same-id":
        again = _sign(envelope, mutate.sign, identity)
        return [Outgoing("first", signed), Outgoing("retry", again)]
    return [Outgoing("request", signed)]
