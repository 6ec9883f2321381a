"""Who is calling: the signing certificate picks the partner, that partner's policy verifies.

Partners differ in profile (Brussels ``strict``, federal ``ksz``, MAGDA's PKIPath tokens), so
the gateway cannot verify with one :class:`Verifier`. It first *peeks* at the
BinarySecurityToken(s) to find a certificate pinned for a configured partner, then verifies the
whole message with THAT partner's verifier (profile, trust, pins, the shared store-backed replay
cache). The peek decides nothing by itself: a token copied from another message only selects
whose rules apply, and the full verification then requires the signature to be made with the
pinned certificate's key. After verification the signer is looked up again and must be the
same partner.
"""

from __future__ import annotations

from lxml import etree

from gateway.service.context import GatewayContext, Partner
from gateway.wssecurity import VerifiedMessage, WSSecurityFault
from gateway.wssecurity.faults import (
    FAILED_AUTHENTICATION,
    INVALID_SECURITY,
    INVALID_SECURITY_TOKEN,
)
from gateway.wssecurity.ns import WSSE_BST, WSSE_SECURITY
from gateway.wssecurity.tokens import decode_token


def _tokens(header: etree._Element | None) -> list[etree._Element]:
    if header is None:
        return []
    return [
        token
        for security in header
        if security.tag == WSSE_SECURITY
        for token in security
        if token.tag == WSSE_BST
    ]


def identify(context: GatewayContext, header: etree._Element | None) -> Partner:
    """The partner whose pinned certificate is in the Security header (not yet verified).

    Raises ``wsse:InvalidSecurity`` for an unsigned message, ``wsse:InvalidSecurityToken`` for
    no usable token, ``wsse:FailedAuthentication`` for a certificate no partner is pinned to.
    """
    if header is None or not any(h.tag == WSSE_SECURITY for h in header):
        raise WSSecurityFault(INVALID_SECURITY, "the message is not signed (no wsse:Security)")
    tokens = _tokens(header)
    if not tokens:
        raise WSSecurityFault(
            INVALID_SECURITY_TOKEN, "no BinarySecurityToken: the signer cannot be identified"
        )
    last_error: WSSecurityFault | None = None
    for token in tokens:
        try:
            certificate, _ = decode_token(token.get("ValueType") or "", token.text or "")
        except WSSecurityFault as fault:
            last_error = fault
            continue
        partner = context.partner_for_certificate(certificate)
        if partner is not None:
            return partner
    if last_error is not None and len(tokens) == 1:
        raise last_error
    raise WSSecurityFault(
        FAILED_AUTHENTICATION, "the signing certificate is not registered for any partner"
    )


def verify_as(context: GatewayContext, partner: Partner, root: etree._Element) -> VerifiedMessage:
    """Verify ``root`` under ``partner``'s policy; the signer must be that partner."""
    verified = partner.verifier.verify_element(root)
    signer = context.partner_for_certificate(verified.certificate)
    if signer is None or signer.name != partner.name:
        raise WSSecurityFault(
            FAILED_AUTHENTICATION, f"the message is not signed with {partner.name}'s certificate"
        )
    return verified
