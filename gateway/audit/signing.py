"""Signing and checking checkpoints with the gateway's key (RSA, EC or Ed25519 PEM).

RSA uses PKCS#1 v1.5 with SHA-256 and EC uses ECDSA with SHA-256: the algorithms every PKI tool
can check independently. A checkpoint names its key by ``key_id``, the SHA-256 of the public
key's SubjectPublicKeyInfo, so a verifier given the wrong key says so instead of "bad signature".
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from gateway.errors import BrugError

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


class AuditKeyError(BrugError):
    """The key given for signing or verifying checkpoints cannot be used."""


def key_id(public_key: PublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def _algorithm(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "rsa-pkcs1v15-sha256"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "ecdsa-sha256"
    return "ed25519"


class CheckpointSigner:
    def __init__(self, private_key: PrivateKey) -> None:
        self._key = private_key
        self.key_id = key_id(private_key.public_key())
        self.algorithm = _algorithm(private_key)

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> CheckpointSigner:
        try:
            key = serialization.load_pem_private_key(pem, password=password)
        except (ValueError, TypeError) as exc:
            raise AuditKeyError(f"cannot load the checkpoint signing key: {exc}") from exc
        if not isinstance(
            key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
        ):
            raise AuditKeyError(f"unsupported checkpoint key type {type(key).__name__}")
        return cls(key)

    def public_key(self) -> PublicKey:
        return self._key.public_key()

    def sign(self, payload: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(payload, ec.ECDSA(hashes.SHA256()))
        return self._key.sign(payload)


class CheckpointVerifier:
    def __init__(self, public_key: PublicKey) -> None:
        self._key = public_key
        self.key_id = key_id(public_key)

    @classmethod
    def from_pem(cls, pem: bytes) -> CheckpointVerifier:
        """Accept a public key, a certificate or (for convenience) a private key PEM."""
        loaded: object
        try:
            if b"CERTIFICATE" in pem:
                loaded = x509.load_pem_x509_certificate(pem).public_key()
            elif b"PRIVATE KEY" in pem:
                loaded = serialization.load_pem_private_key(pem, password=None).public_key()
            else:
                loaded = serialization.load_pem_public_key(pem)
        except (ValueError, TypeError) as exc:
            raise AuditKeyError(f"cannot load the checkpoint verification key: {exc}") from exc
        if not isinstance(
            loaded, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
        ):
            raise AuditKeyError(f"unsupported checkpoint key type {type(loaded).__name__}")
        return cls(loaded)

    def verify(self, payload: bytes, signature: bytes) -> bool:
        try:
            if isinstance(self._key, rsa.RSAPublicKey):
                self._key.verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
            elif isinstance(self._key, ec.EllipticCurvePublicKey):
                self._key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
            else:
                self._key.verify(signature, payload)
        except InvalidSignature:
            return False
        return True
