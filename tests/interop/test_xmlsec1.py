"""brug's WS-Security layer against the xmlsec1 command line tool, in both directions.

xmlsec1 knows XML-DSig, not WS-Security: it cannot resolve a SecurityTokenReference and does not
know wsu:Id is an ID. What it checks is therefore the cryptographic core: exclusive C14N of each
referenced element, every digest and the signature value, computed by a C implementation that
shares nothing with brug's Python code path. Where xmlsec1 signs, we hand it a template with the
WS-Security scaffolding (Timestamp, BinarySecurityToken, STR) that brug requires.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from tests.interop.peers import (
    SOAP11,
    WSSE,
    WSU,
    envelope,
    tamper_body,
    xmlsec1_sign,
    xmlsec1_verify,
)

pytestmark = pytest.mark.interop

DS = "http://www.w3.org/2000/09/xmldsig#"
X509_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ALGORITHMS = {  # profile -> (SignatureMethod, DigestMethod, BST ValueType)
    "ksz": (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "X509v3",
    ),
    "strict": (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "X509v3",
    ),
    "magda": (
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
        "X509PKIPathv1",
    ),
}
PART_IDS = {"Timestamp": "TS-1", "Body": "Body-1", "BinarySecurityToken": "X509-1"}


# --------------------------------------------------------------------------- brug -> xmlsec1


@pytest.mark.parametrize("profile", ["ksz", "magda", "strict"])
def test_brug_signed_message_verifies_with_xmlsec1(
    xmlsec1: str,
    pki_dir: Path,
    make_signer: Callable[..., Any],
    tmp_path: Path,
    soap_ns: str,
    profile: str,
) -> None:
    from gateway.wssecurity import load_profile

    signed = make_signer(profile, pkcs12=profile == "magda").sign(envelope(soap_ns))
    path = tmp_path / "brug-signed.xml"
    path.write_bytes(signed)

    res = xmlsec1_verify(path, pki_dir / "flanders.pem")

    assert res.ok, f"xmlsec1 refused brug's {profile} message:\n{res.output}"
    n = len(load_profile(profile).sign_parts)
    assert f"SignedInfo References (ok/all): {n}/{n}" in res.output


@pytest.mark.parametrize("profile", ["ksz", "magda"])
def test_brug_signed_message_with_tampered_body_fails_xmlsec1(
    xmlsec1: str,
    pki_dir: Path,
    make_signer: Callable[..., Any],
    tmp_path: Path,
    soap_ns: str,
    profile: str,
) -> None:
    signed = make_signer(profile, pkcs12=profile == "magda").sign(envelope(soap_ns))
    path = tmp_path / "tampered.xml"
    path.write_bytes(tamper_body(signed))

    res = xmlsec1_verify(path, pki_dir / "flanders.pem")

    assert not res.ok
    assert "data and digest do not match" in res.output


def test_brug_signed_message_fails_xmlsec1_with_another_key(
    xmlsec1: str, pki_dir: Path, make_signer: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "signed.xml"
    path.write_bytes(make_signer("ksz").sign(envelope(SOAP11)))
    assert not xmlsec1_verify(path, pki_dir / "brussels.pem").ok


# --------------------------------------------------------------------------- xmlsec1 -> brug


def _der_sequence(content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return b"\x30" + length + content


def _token_value(pki_dir: Path, party: str, value_type: str) -> str:
    """BST content: the DER certificate, or a PkiPath (SEQUENCE OF Certificate, root first)."""
    cert = x509.load_pem_x509_certificate((pki_dir / f"{party}.pem").read_bytes())
    der = cert.public_bytes(Encoding.DER)
    if value_type == "X509PKIPathv1":
        ca = x509.load_pem_x509_certificate((pki_dir / "ca.pem").read_bytes())
        der = _der_sequence(ca.public_bytes(Encoding.DER) + der)
    return base64.b64encode(der).decode()


def signature_template(
    soap_ns: str,
    token_b64: str,
    profile: str,
    parts: Sequence[str],
    now: datetime | None = None,
    text: str = "hallo Brussel",
) -> bytes:
    """A WS-Security envelope whose ds:Signature is an empty template for ``xmlsec1 --sign``.

    Timestamp, BinarySecurityToken and Body carry wsu:Ids; the KeyInfo is a
    SecurityTokenReference to the BST, which xmlsec1 leaves untouched while signing.
    """
    sig_method, digest_method, value_type = ALGORITHMS[profile]
    now = now or datetime.now(UTC)
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    expires = (now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    refs = "".join(
        f'<ds:Reference URI="#{PART_IDS[p]}"><ds:Transforms>'
        f'<ds:Transform Algorithm="{EXC_C14N}"/></ds:Transforms>'
        f'<ds:DigestMethod Algorithm="{digest_method}"/><ds:DigestValue/></ds:Reference>'
        for p in parts
    )
    timestamp = (
        f'<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>{created}</wsu:Created>'
        f"<wsu:Expires>{expires}</wsu:Expires></wsu:Timestamp>"
    )
    token = (
        f'<wsse:BinarySecurityToken wsu:Id="X509-1" EncodingType="{BASE64}" '
        f'ValueType="{X509_PROFILE}#{value_type}">{token_b64}</wsse:BinarySecurityToken>'
    )
    signature = (
        f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
        f'<ds:CanonicalizationMethod Algorithm="{EXC_C14N}"/>'
        f'<ds:SignatureMethod Algorithm="{sig_method}"/>{refs}</ds:SignedInfo>'
        "<ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference>"
        f'<wsse:Reference URI="#X509-1" ValueType="{X509_PROFILE}#{value_type}"/>'
        "</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<soap:Envelope xmlns:soap="{soap_ns}" xmlns:wsu="{WSU}">'
        f'<soap:Header><wsse:Security xmlns:wsse="{WSSE}" soap:mustUnderstand="1">'
        f"{timestamp}{token}{signature}</wsse:Security></soap:Header>"
        '<soap:Body wsu:Id="Body-1"><m:Ping xmlns:m="urn:brug:interop:ping">'
        f"<m:Text>{text}</m:Text><m:Note>één café à Liège</m:Note></m:Ping></soap:Body>"
        "</soap:Envelope>"
    ).encode()


def _xmlsec1_signed(
    pki_dir: Path, tmp_path: Path, soap_ns: str, profile: str, parts: Sequence[str]
) -> bytes:
    value_type = ALGORITHMS[profile][2]
    template = tmp_path / "template.xml"
    template.write_bytes(
        signature_template(soap_ns, _token_value(pki_dir, "flanders", value_type), profile, parts)
    )
    out = xmlsec1_sign(
        template, pki_dir / "flanders.key", pki_dir / "flanders.pem", tmp_path / "signed.xml"
    )
    signed = out.read_bytes()
    assert not re.search(rb"<ds:DigestValue\s*/>", signed), "xmlsec1 left the template unsigned"
    return signed


FULL = ("Timestamp", "Body", "BinarySecurityToken")


@pytest.mark.parametrize("profile", ["ksz", "strict", "magda"])
def test_xmlsec1_signed_message_is_accepted_by_brug(
    xmlsec1: str,
    pki_dir: Path,
    make_verifier: Callable[..., Any],
    tmp_path: Path,
    soap_ns: str,
    profile: str,
) -> None:
    signed = _xmlsec1_signed(pki_dir, tmp_path, soap_ns, profile, FULL)
    verified = make_verifier(profile).verify(signed)
    assert set(FULL) <= set(verified.signed_parts)


@pytest.mark.parametrize("profile", ["ksz", "magda"])
def test_xmlsec1_signed_message_with_tampered_body_is_refused_by_brug(
    xmlsec1: str,
    pki_dir: Path,
    make_verifier: Callable[..., Any],
    tmp_path: Path,
    soap_ns: str,
    profile: str,
) -> None:
    from gateway.wssecurity import WSSecurityFault

    signed = _xmlsec1_signed(pki_dir, tmp_path, soap_ns, profile, FULL)
    with pytest.raises(WSSecurityFault) as exc:
        make_verifier(profile).verify(tamper_body(signed))
    assert exc.value.code == "wsse:FailedCheck"


def test_xmlsec1_signature_over_body_only_is_refused_under_ksz(
    xmlsec1: str, pki_dir: Path, make_verifier: Callable[..., Any], tmp_path: Path
) -> None:
    """A valid signature that leaves the Timestamp and token unsigned is not KSZ's contract."""
    from gateway.wssecurity import WSSecurityFault

    signed = _xmlsec1_signed(pki_dir, tmp_path, SOAP11, "ksz", ("Body",))
    assert xmlsec1_verify(tmp_path / "signed.xml", pki_dir / "flanders.pem").ok
    with pytest.raises(WSSecurityFault):
        make_verifier("ksz").verify(signed)
