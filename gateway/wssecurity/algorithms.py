"""The XML-DSig algorithms brug knows, by short name and URI, and their primitives.

Only algorithms listed here can ever be accepted, whatever a profile says: HMAC (a shared-secret
"signature" any holder of the secret can forge), XSLT and XPath transforms (code execution and
reference rewriting) are not in these tables on purpose, so a profile cannot enable them by
mistake. Signing and verification use ``cryptography`` directly, and canonicalisation uses lxml's
exclusive C14N: measured faster than going through ``xmlsec`` and it leaves brug in control of how
references are resolved (see docs/wssecurity.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree

from gateway.wssecurity.ns import DS


@dataclass(frozen=True, slots=True)
class DigestAlgorithm:
    name: str
    uri: str
    hash_name: str

    def new_hash(self) -> hashes.HashAlgorithm:
        return _HASHES[self.hash_name]()


@dataclass(frozen=True, slots=True)
class SignatureAlgorithm:
    name: str
    uri: str
    key_type: str  # "rsa" | "ec"
    hash_name: str

    def new_hash(self) -> hashes.HashAlgorithm:
        return _HASHES[self.hash_name]()


_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
# Shared, stateless parameter objects for sign/verify: built once instead of on every message.
_HASH_PARAMS: Final[dict[str, hashes.HashAlgorithm]] = {n: c() for n, c in _HASHES.items()}
_PKCS1V15: Final = padding.PKCS1v15()
# Reference digests go through hashlib (OpenSSL too): for the few kilobytes of a signed part its
# one C call costs about half of cryptography's Hash/update/finalize object round trip.
_HASHLIB: Final[dict[str, Callable[[bytes], hashlib._Hash]]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}

DIGESTS: Final = {
    d.name: d
    for d in (
        DigestAlgorithm("sha1", "http://www.w3.org/2000/09/xmldsig#sha1", "sha1"),
        DigestAlgorithm("sha256", "http://www.w3.org/2001/04/xmlenc#sha256", "sha256"),
        DigestAlgorithm("sha384", "http://www.w3.org/2001/04/xmldsig-more#sha384", "sha384"),
        DigestAlgorithm("sha512", "http://www.w3.org/2001/04/xmlenc#sha512", "sha512"),
    )
}

SIGNATURES: Final = {
    s.name: s
    for s in (
        SignatureAlgorithm("rsa-sha1", "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "rsa", "sha1"),
        SignatureAlgorithm(
            "rsa-sha256", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "rsa", "sha256"
        ),
        SignatureAlgorithm(
            "rsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "rsa", "sha384"
        ),
        SignatureAlgorithm(
            "rsa-sha512", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "rsa", "sha512"
        ),
        SignatureAlgorithm(
            "ecdsa-sha256", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "ec", "sha256"
        ),
        SignatureAlgorithm(
            "ecdsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "ec", "sha384"
        ),
    )
}

EXC_C14N: Final = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N_URIS: Final = {"exc-c14n": EXC_C14N}
TRANSFORM_URIS: Final = {"exc-c14n": EXC_C14N}

# Named only to give the sender a precise reason when they show up.
KNOWN_DANGEROUS: Final = {
    "http://www.w3.org/TR/1999/REC-xslt-19991116": "XSLT transforms are never accepted",
    "http://www.w3.org/TR/1999/REC-xpath-19991116": "XPath transforms are never accepted",
    "http://www.w3.org/2002/06/xmldsig-filter2": "XPath Filter 2.0 transforms are never accepted",
    DS + "hmac-sha1": "HMAC signatures are never accepted",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256": "HMAC signatures are never accepted",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384": "HMAC signatures are never accepted",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512": "HMAC signatures are never accepted",
}

DIGEST_BY_URI: Final = {d.uri: d for d in DIGESTS.values()}
SIGNATURE_BY_URI: Final = {s.uri: s for s in SIGNATURES.values()}


def exc_c14n(element: etree._Element, inclusive_prefixes: Sequence[str] = ()) -> bytes:
    """Exclusive XML Canonicalization 1.0 without comments of ``element``'s subtree.

    Same-document ``#id`` references are canonicalised without comments (XML-DSig 4.3.3.3), which
    is also why a comment injected into a signed text node cannot change the signed bytes.
    """
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(inclusive_prefixes) if inclusive_prefixes else None,
    )


def digest(algorithm: DigestAlgorithm, data: bytes) -> bytes:
    """The ``algorithm`` digest of ``data`` (a canonicalised reference)."""
    return _HASHLIB[algorithm.hash_name](data).digest()


def sign(
    algorithm: SignatureAlgorithm, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, data: bytes
) -> bytes:
    """Sign ``data``; ECDSA values are returned as XML-DSig wants them (r || s, fixed width)."""
    if isinstance(key, rsa.RSAPrivateKey):
        if algorithm.key_type != "rsa":
            raise ValueError(f"{algorithm.name} needs an RSA key")
        return key.sign(data, _PKCS1V15, _HASH_PARAMS[algorithm.hash_name])
    if algorithm.key_type != "ec":
        raise ValueError(f"{algorithm.name} needs an EC key")
    der = key.sign(data, ec.ECDSA(algorithm.new_hash()))
    r, s = decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify(
    algorithm: SignatureAlgorithm, public_key: object, signature: bytes, data: bytes
) -> bool:
    """True when ``signature`` over ``data`` checks with ``public_key`` under ``algorithm``."""
    try:
        if isinstance(public_key, rsa.RSAPublicKey) and algorithm.key_type == "rsa":
            public_key.verify(signature, data, _PKCS1V15, _HASH_PARAMS[algorithm.hash_name])
            return True
        if isinstance(public_key, ec.EllipticCurvePublicKey) and algorithm.key_type == "ec":
            size = (public_key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(algorithm.new_hash()))
            return True
    except InvalidSignature:
        return False
    return False


def default_signature_for(
    key: object, profile_rsa: str, profile_ec: str | None
) -> SignatureAlgorithm:
    """The key type decides the family; the profile decides the hash."""
    if isinstance(key, rsa.RSAPrivateKey):
        return SIGNATURES[profile_rsa]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if profile_ec is None:
            raise ValueError("this profile does not allow EC (ECDSA) signing keys")
        return SIGNATURES[profile_ec]
    raise ValueError("only RSA and EC private keys are supported")
