"""BinarySecurityToken encoding and decoding (X509v3 and X509PKIPathv1).

An X509PKIPathv1 token is the DER ``SEQUENCE OF Certificate`` of RFC 5280's PkiPath, ordered from
the certificate issued by the trust anchor down to the signer's certificate (last), which is how
Java's ``CertPath.getEncoded("PkiPath")`` (and so WSS4J/MAGDA) writes it. The tiny DER codec here
only splits and joins that one SEQUENCE; each certificate is parsed by ``cryptography``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.wssecurity.faults import INVALID_SECURITY_TOKEN, WSSecurityFault
from gateway.wssecurity.ns import X509PKIPATHV1, X509V3


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """Return (tag, start of value, end of value) of the DER element at ``pos``."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag = data[pos]
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, pos, pos + length


def encode_pkipath(certs_leaf_last: Sequence[x509.Certificate]) -> bytes:
    """DER PkiPath of ``certs_leaf_last`` (issuer-side first, signer last)."""
    body = b"".join(c.public_bytes(Encoding.DER) for c in certs_leaf_last)
    return b"\x30" + _der_length(len(body)) + body


def decode_pkipath(der: bytes) -> tuple[x509.Certificate, ...]:
    """Certificates of a PkiPath, in encoded order (signer last)."""
    tag, start, end = _read_tlv(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("a PkiPath is one DER SEQUENCE")
    certs = []
    pos = start
    while pos < end:
        ctag, _, cend = _read_tlv(der, pos)
        if ctag != 0x30:
            raise ValueError("PkiPath element is not a certificate")
        certs.append(x509.load_der_x509_certificate(der[pos:cend]))
        pos = cend
    if not certs:
        raise ValueError("empty PkiPath")
    return tuple(certs)


def token_bytes(
    value_type: str, certificate: x509.Certificate, chain: Sequence[x509.Certificate]
) -> bytes:
    """The raw (un-base64'd) token value for ``value_type``."""
    if value_type == X509V3:
        return certificate.public_bytes(Encoding.DER)
    if value_type == X509PKIPATHV1:
        return encode_pkipath([*reversed(tuple(chain)), certificate])
    raise ValueError(f"unsupported token type {value_type}")


@lru_cache(maxsize=256)
def _decode_cached(
    value_type: str, text: str
) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]]:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise WSSecurityFault(
            INVALID_SECURITY_TOKEN, "BinarySecurityToken is not valid base64"
        ) from None
    try:
        if value_type == X509V3:
            return x509.load_der_x509_certificate(raw), ()
        certs = decode_pkipath(raw)
    except ValueError:
        raise WSSecurityFault(
            INVALID_SECURITY_TOKEN, "BinarySecurityToken does not hold a valid X.509 certificate"
        ) from None
    return certs[-1], tuple(reversed(certs[:-1]))


def decode_token(
    value_type: str, text: str
) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]]:
    """Decode a BST value: (signer certificate, the other certificates nearest-issuer first).

    Cached on the token text: a partner sends the same certificate in every message, and parsing
    it is a measurable part of verification time.
    """
    if value_type not in (X509V3, X509PKIPATHV1):
        raise WSSecurityFault(INVALID_SECURITY_TOKEN, f"unsupported token type {value_type}")
    return _decode_cached(value_type, text)
