"""Keys and trust for a simulator, from a development PKI directory (``brug pki init DIR``).

A simulator signs its answers as its own party (``brussels`` / ``federal``) and verifies
requests against the dev CA; given the gateway's certificate it also *pins* it, as the real
integrators grant access per application certificate, so a certificate from the same CA that is
not the gateway's (another partner's) is refused too.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from gateway.wssecurity import (
    InMemoryReplayCache,
    KeyMaterial,
    Signer,
    TrustStore,
    Verifier,
    load_profile,
)


def signer_for(pki_dir: Path, party: str, profile: str) -> Signer:
    """Sign as ``party`` (``DIR/party.key`` + ``DIR/party.pem``) under ``profile``."""
    material = KeyMaterial.from_pem(pki_dir / f"{party}.key", pki_dir / f"{party}.pem")
    return Signer(load_profile(profile), material)


def verifier_for(pki_dir: Path, profile: str, *, pin: Path | None = None) -> Verifier:
    """Trust ``DIR/ca.pem``; pin the certificate in ``pin`` when given."""
    trust = TrustStore.from_pem_files([pki_dir / "ca.pem"])
    pins = [x509.load_pem_x509_certificate(pin.read_bytes())] if pin is not None else []
    return Verifier(load_profile(profile), trust, pins=pins, replay_cache=InMemoryReplayCache())
