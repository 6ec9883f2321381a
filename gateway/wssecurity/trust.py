"""Trust decisions about the signer's certificate: chain, dates, key usage and pins.

The chain is built and checked by ``cryptography.x509.verification`` (RFC 5280 path building
against brug's TrustStore; certificates carried in a PKIPath token are only *candidates* for
intermediates, never anchors). Extension policy for the end entity is relaxed to "permit all"
because partner application certificates are not Web PKI server/client certificates (no SAN,
no clientAuth EKU); brug checks key usage itself. Validity dates are checked first so that the
sender gets "certificate expired" rather than a generic path error.

Successful validations are cached per (leaf, intermediates): the store is immutable, so the only
thing that changes with time is the validity window, which is re-checked on every hit.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from gateway.wssecurity.faults import FAILED_AUTHENTICATION, WSSecurityFault

Pin = str | bytes | x509.Certificate


def fingerprint(cert: x509.Certificate) -> bytes:
    """SHA-256 over the DER certificate (what pins are compared with)."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()


def normalise_pin(pin: Pin) -> bytes:
    """Accept a certificate, 32 raw bytes or hex (with or without colons) and return raw bytes."""
    if isinstance(pin, x509.Certificate):
        return fingerprint(pin)
    if isinstance(pin, bytes) and len(pin) == 32:
        return pin
    text = pin.decode("ascii") if isinstance(pin, bytes) else pin
    raw = bytes.fromhex(text.replace(":", "").strip())
    if len(raw) != 32:
        raise ValueError("a pin is a SHA-256 fingerprint (32 bytes)")
    return raw


def _subject(cert: x509.Certificate) -> str:
    """A short description for fault reasons: subject CN (a KBO number or an app name)."""
    cns = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return f"CN={cns[0].value!s}" if cns else cert.subject.rfc4514_string()


@dataclass(frozen=True, slots=True)
class _Validated:
    chain: tuple[x509.Certificate, ...]
    not_before: datetime
    not_after: datetime


class TrustStore:
    """The CA certificates brug trusts for one partner (or all of them)."""

    def __init__(self, anchors: Sequence[x509.Certificate], max_chain_depth: int = 4) -> None:
        if not anchors:
            raise ValueError("a TrustStore needs at least one CA certificate")
        self.anchors = tuple(anchors)
        self._store = Store(list(anchors))
        self._max_depth = max_chain_depth
        self._cache: dict[tuple[x509.Certificate, ...], _Validated] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_pem_files(cls, paths: Iterable[str | Path]) -> TrustStore:
        certs: list[x509.Certificate] = []
        for p in paths:
            certs.extend(x509.load_pem_x509_certificates(Path(p).read_bytes()))
        return cls(certs)

    def validate(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate],
        now: datetime,
    ) -> tuple[x509.Certificate, ...]:
        """Return the validated chain (leaf first) or raise ``wsse:FailedAuthentication``."""
        now = now.astimezone(UTC)
        _check_dates(leaf, now)
        key = (leaf, *intermediates)  # certificates hash and compare by their DER encoding
        hit = self._cache.get(key)
        if hit is not None and hit.not_before <= now <= hit.not_after:
            return hit.chain
        chain = self._build(leaf, intermediates, now)
        _check_key_usage(leaf)
        validated = _Validated(
            chain,
            max(c.not_valid_before_utc for c in chain),
            min(c.not_valid_after_utc for c in chain),
        )
        with self._lock:
            if len(self._cache) > 1024:
                self._cache.clear()
            self._cache[key] = validated
        return chain

    def _build(
        self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate], now: datetime
    ) -> tuple[x509.Certificate, ...]:
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now.replace(tzinfo=None))
            .max_chain_depth(self._max_depth)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=ExtensionPolicy.permit_all(),
            )
            .build_client_verifier()
        )
        try:
            verified = verifier.verify(leaf, list(intermediates))
        except VerificationError as exc:
            raise WSSecurityFault(
                FAILED_AUTHENTICATION,
                f"certificate {_subject(leaf)} issued by {leaf.issuer.rfc4514_string()} "
                f"is not trusted: {_short(exc)}",
            ) from None
        return tuple(verified.chain)


def _short(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:200]


def _check_dates(cert: x509.Certificate, now: datetime) -> None:
    if now < cert.not_valid_before_utc:
        raise WSSecurityFault(
            FAILED_AUTHENTICATION,
            f"certificate {_subject(cert)} is not valid before "
            f"{cert.not_valid_before_utc.isoformat()}",
        )
    if now > cert.not_valid_after_utc:
        raise WSSecurityFault(
            FAILED_AUTHENTICATION,
            f"certificate {_subject(cert)} expired on {cert.not_valid_after_utc.isoformat()}",
        )


def _check_key_usage(cert: x509.Certificate) -> None:
    """A signing certificate must allow digitalSignature or nonRepudiation when it says."""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (ku.digital_signature or ku.content_commitment):
        raise WSSecurityFault(
            FAILED_AUTHENTICATION,
            f"certificate {_subject(cert)} key usage does not allow digital signatures",
        )
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return
    if bc.ca:
        raise WSSecurityFault(
            FAILED_AUTHENTICATION, f"certificate {_subject(cert)} is a CA, not a signer"
        )


def check_pins(cert: x509.Certificate, pins: frozenset[bytes]) -> None:
    """When pins are configured, the signer's certificate must be one of them."""
    if pins and fingerprint(cert) not in pins:
        raise WSSecurityFault(
            FAILED_AUTHENTICATION,
            f"certificate {_subject(cert)} (SHA-256 {fingerprint(cert).hex()[:16]}...) "
            "is not one of the pinned partner certificates",
        )
