"""Who the suite signs as: the tester's key per caller, and a throw-away untrusted identity.

The "untrusted certificate" case needs a certificate no endpoint can trust. Rather than ship
one (it would expire, and someone would end up trusting it), a self-signed key is made in
memory once per process: it is valid by date and usage, so only the missing chain to the
endpoint's trust anchors can explain its refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gateway.wssecurity import KeyMaterial, Profile, Signer, load_profile

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller's signing key under the profile it signs with (and is answered with)."""

    name: str
    material: KeyMaterial = field(repr=False)
    profile: Profile = field(repr=False)

    def signer(self, clock: Clock | None = None) -> Signer:
        return Signer(self.profile, self.material, clock=clock)


def load_identity(
    name: str, cert: Path, key: Path, profile: str, password: str | None = None
) -> Identity:
    """PEM certificate + PEM key (or a .p12 given as ``key``, with its password)."""
    if key.suffix.lower() in (".p12", ".pfx"):
        material = KeyMaterial.from_pkcs12(key, password)
    else:
        material = KeyMaterial.from_pem(key, cert, password=password)
    return Identity(name, material, load_profile(profile))


@cache
def _self_signed() -> KeyMaterial:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "brug conformance suite"),
            x509.NameAttribute(NameOID.COMMON_NAME, "untrusted conformance signer"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return KeyMaterial(key, cert)


def ephemeral_identity(profile: Profile) -> Identity:
    """A self-signed identity (made once per process) under ``profile``."""
    return Identity("untrusted", _self_signed(), profile)
