"""Signing key material: a private key, its certificate and the chain up to (not incl.) the root.

Loaded from PEM files or a PKCS#12 bundle. The private key never leaves this object in any
printable form: ``repr`` shows the certificate subject and key type only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _password(password: str | bytes | None) -> bytes | None:
    if password is None:
        return None
    return password.encode("utf-8") if isinstance(password, str) else password


def _check_key(key: object) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key
    raise ValueError("only RSA and EC private keys can sign WS-Security messages")


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """A private key with the certificate it belongs to (and optional intermediates)."""

    private_key: SigningKey = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        pub = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        cert_pub = self.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if pub != cert_pub:
            raise ValueError("the private key does not belong to the certificate")

    def __repr__(self) -> str:
        kind = "RSA" if isinstance(self.private_key, rsa.RSAPrivateKey) else "EC"
        return f"KeyMaterial({kind}, subject={self.certificate.subject.rfc4514_string()!r})"

    @classmethod
    def from_pem(
        cls,
        key_path: str | Path,
        cert_path: str | Path,
        chain_paths: Sequence[str | Path] = (),
        password: str | bytes | None = None,
    ) -> KeyMaterial:
        """Load a PEM private key (optionally encrypted), its PEM certificate and intermediates."""
        key = serialization.load_pem_private_key(
            Path(key_path).read_bytes(), password=_password(password)
        )
        cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        chain: list[x509.Certificate] = []
        for p in chain_paths:
            chain.extend(x509.load_pem_x509_certificates(Path(p).read_bytes()))
        return cls(_check_key(key), cert, tuple(chain))

    @classmethod
    def from_pkcs12(cls, path: str | Path, password: str | bytes | None) -> KeyMaterial:
        """Load a PKCS#12 (.p12/.pfx) bundle; its extra certificates become the chain."""
        key, cert, extra = pkcs12.load_key_and_certificates(
            Path(path).read_bytes(), _password(password)
        )
        if key is None or cert is None:
            raise ValueError("the PKCS#12 bundle holds no private key or no certificate")
        return cls(_check_key(key), cert, tuple(extra or ()))
