"""The public keys a REST client signs its assertions with: a PEM file, a JWKS file or a JWKS URL.

Only asymmetric keys strong enough for the three algorithms brug accepts are kept: RSA of at least
2048 bits (RS256, PS256) and EC P-256 (ES256). Each key says which of these algorithms it can
verify, so a token whose header names another algorithm never reaches a verification call: this
is what closes the classic "alg: none" and "HS256 signed with the public key" attacks, instead of
relying on the JWT library's defaults alone.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

ALLOWED_ALGORITHMS: tuple[str, ...] = ("RS256", "PS256", "ES256")
MIN_RSA_BITS = 2048


class KeySourceUnavailable(Exception):
    """A remote JWKS could not be fetched or parsed: not the client's fault, nor proof of fraud."""


def algorithms_for(key: PublicKey) -> tuple[str, ...]:
    """The JWS algorithms brug lets ``key`` verify."""
    if isinstance(key, rsa.RSAPublicKey):
        return ("RS256", "PS256")
    return ("ES256",)


def check_public_key(key: object) -> PublicKey:
    """Refuse key types and sizes brug does not accept for signatures."""
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"RSA keys need at least {MIN_RSA_BITS} bits")
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValueError("EC keys must be on P-256 (ES256)")
        return key
    raise ValueError("only RSA and EC P-256 public keys are accepted")


@dataclass(frozen=True, slots=True)
class VerificationKey:
    key: PublicKey
    kid: str | None = None
    alg: str | None = None  # set when a JWKS entry pins its algorithm

    def accepts(self, alg: str) -> bool:
        if self.alg is not None and self.alg != alg:
            return False
        return alg in algorithms_for(self.key)


def public_key_from_pem(data: bytes) -> PublicKey:
    """A PEM ``PUBLIC KEY`` or a PEM certificate (its key is used; dates are not checked here)."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        return check_public_key(x509.load_pem_x509_certificate(data).public_key())
    return check_public_key(serialization.load_pem_public_key(data))


def keys_from_jwks(document: Mapping[str, Any]) -> list[VerificationKey]:
    """The signature keys of a JWKS document; encryption keys and other algorithms are skipped."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("not a JWKS: no 'keys' list")
    out: list[VerificationKey] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        alg = entry.get("alg")
        if alg is not None and alg not in ALLOWED_ALGORITHMS:
            continue
        try:
            key = check_public_key(jwt.PyJWK(entry).key)
        except (jwt.PyJWTError, ValueError):
            continue  # one unusable entry must not take the client's other keys down
        kid = entry.get("kid")
        out.append(VerificationKey(key, kid if isinstance(kid, str) else None, alg))
    if not out:
        raise ValueError("the JWKS holds no RS256/PS256/ES256 signature key")
    return out


def _select(keys: Sequence[VerificationKey], kid: str | None, alg: str) -> list[VerificationKey]:
    usable = [k for k in keys if k.accepts(alg)]
    if kid is None:
        return usable
    # A kid narrows the choice; keys without a kid (a bare PEM) stay candidates.
    return [k for k in usable if k.kid in (kid, None)]


class ClientKeys(Protocol):
    """Where the keys of one client come from."""

    def candidates(self, kid: str | None, alg: str) -> list[VerificationKey]:
        """Keys that could have made a signature with header ``kid`` and ``alg``."""
        ...


class StaticClientKeys:
    """Keys read once at start-up from a PEM file or a JWKS file."""

    def __init__(self, keys: Sequence[VerificationKey]) -> None:
        self._keys = tuple(keys)

    @classmethod
    def from_pem_file(cls, path: str | Path) -> StaticClientKeys:
        return cls([VerificationKey(public_key_from_pem(Path(path).read_bytes()))])

    @classmethod
    def from_jwks_file(cls, path: str | Path) -> StaticClientKeys:
        return cls(keys_from_jwks(json.loads(Path(path).read_text(encoding="utf-8"))))

    def candidates(self, kid: str | None, alg: str) -> list[VerificationKey]:
        return _select(self._keys, kid, alg)


class RemoteClientKeys:
    """Keys published by the client at a JWKS URL, cached for ``lifespan`` seconds.

    An unknown ``kid`` triggers a refetch (the client rotated its key), but at most once per
    ``min_refresh`` seconds, so a stream of made-up kids cannot turn brug into a request
    amplifier against the client's key server. If a refetch fails, the cached keys keep working.
    """

    def __init__(
        self,
        url: str,
        *,
        lifespan: float = 300,
        min_refresh: float = 30,
        timeout: float = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # PyJWKClient only fetches here (no redirects followed, JSON checked); caching is ours.
        self._fetcher = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=timeout)
        self._lifespan = lifespan
        self._min_refresh = min_refresh
        self._clock = clock
        self._keys: list[VerificationKey] | None = None
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def _refresh(self, now: float) -> list[VerificationKey]:
        try:
            keys = keys_from_jwks(self._fetcher.fetch_data())
        except (jwt.PyJWKClientError, ValueError) as exc:
            if self._keys is None:
                raise KeySourceUnavailable(str(exc)) from exc
            # Keep serving the old keys; try the key server again in ``min_refresh`` seconds
            # rather than on every request (each failed fetch may cost a full timeout).
            self._fetched_at = now - self._lifespan + self._min_refresh
            return self._keys
        self._keys, self._fetched_at = keys, now
        return keys

    def candidates(self, kid: str | None, alg: str) -> list[VerificationKey]:
        with self._lock:
            now = self._clock()
            age = now - self._fetched_at
            if self._keys is None or age >= self._lifespan:
                return _select(self._refresh(now), kid, alg)
            found = _select(self._keys, kid, alg)
            if not found and kid is not None and age >= self._min_refresh:
                found = _select(self._refresh(now), kid, alg)
            return found
