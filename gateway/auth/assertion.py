"""Client authentication with a signed JWT (RFC 7523 §2.2 ``private_key_jwt``).

This is how the Flemish government's access management (ACM/IDM) lets backends authenticate:
the client signs a short JWT with its private key, and the server checks it with the public key
it registered. No shared secret ever crosses the wire or sits in brug's configuration.

What is checked, and why:

* the header ``alg`` is RS256, PS256 or ES256 *and* fits the key type, before any verification
  call (``none`` and HMAC algorithms never get near a key);
* ``iss`` = ``sub`` = a registered client id (RFC 7523 §3 items 1-2);
* ``aud`` = brug's token endpoint URL, exactly (item 3): an assertion made for another server
  cannot be replayed here;
* ``exp`` in the future, ``iat`` not in the future, ``exp - iat`` at most 5 minutes: a leaked
  assertion is useless quickly, and brug only has to remember its ``jti`` that long;
* ``jti`` used once (item 7), remembered through a :class:`ReplayCache` until ``exp``.

Every failure is ``invalid_client`` (RFC 7523 §3.2 says so), with a description that tells an
integrator what to fix, except that "unknown client" and "wrong key" read the same.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth.client_keys import ALLOWED_ALGORITHMS, KeySourceUnavailable
from gateway.auth.errors import OAuthError, OAuthErrorCode
from gateway.auth.registry import ClientRegistry, RegisteredClient
from gateway.wssecurity.replay import ReplayCache

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_JTI_LENGTH = 256
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti")
NOT_AUTHENTICATED = "client authentication failed: unknown client or signature not valid"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class AssertionPolicy:
    token_url: str
    max_lifetime: timedelta = timedelta(minutes=5)
    clock_skew: timedelta = timedelta(seconds=30)


def _fail(description: str, reason: str | None = None) -> NoReturn:
    raise OAuthError(OAuthErrorCode.INVALID_CLIENT, description, reason=reason)


def _numeric(claims: Mapping[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(f"{name} must be a NumericDate (seconds since the epoch)")
    return float(value)


def _check_times(claims: Mapping[str, Any], now: datetime, policy: AssertionPolicy) -> None:
    now_ts = now.timestamp()
    skew = policy.clock_skew.total_seconds()
    longest = policy.max_lifetime.total_seconds()
    exp, iat = _numeric(claims, "exp"), _numeric(claims, "iat")
    if exp <= now_ts - skew:
        _fail("client assertion has expired", reason="assertion expired")
    if iat > now_ts + skew:
        _fail("client assertion iat is in the future (check the client's clock)")
    if "nbf" in claims and _numeric(claims, "nbf") > now_ts + skew:
        _fail("client assertion is not valid yet (nbf)")
    if exp - iat > longest or exp - now_ts > longest + skew:
        _fail(f"client assertion must expire within {int(longest)} seconds of iat")


def _replay_key(client_id: str, jti: str) -> str:
    digest = hashlib.sha256(f"{client_id}\0{jti}".encode()).hexdigest()
    return f"oauth-jti:{digest}"


def _header(assertion: str) -> tuple[str, str | None]:
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        _fail("client_assertion is not a signed JWT", reason="malformed assertion")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
        _fail(
            "client assertion algorithm not accepted; use RS256, PS256 or ES256",
            reason=f"algorithm {alg!r} refused",
        )
    if "crit" in header:
        _fail("critical JWS header parameters are not supported")
    kid = header.get("kid")
    return alg, kid if isinstance(kid, str) else None


def _claimed_client(assertion: str) -> str:
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        _fail("client_assertion is not a signed JWT", reason="malformed assertion")
    client_id = unverified.get("iss")
    if not isinstance(client_id, str) or not client_id:
        _fail("client assertion needs iss (the client id)")
    return client_id


def _verified_claims(
    assertion: str, client: RegisteredClient, alg: str, kid: str | None, policy: AssertionPolicy
) -> dict[str, Any]:
    if client.keys is None:
        _fail(NOT_AUTHENTICATED, reason=f"client {client.client_id} has no JWT key configured")
    try:
        candidates = client.keys.candidates(kid, alg)
    except KeySourceUnavailable as exc:
        _fail("the client's published keys could not be fetched", reason=str(exc))
    for candidate in candidates:
        try:
            return jwt.decode(
                assertion,
                candidate.key,
                algorithms=[alg],
                audience=policy.token_url,
                issuer=client.client_id,
                options={
                    "require": list(REQUIRED_CLAIMS),
                    # Times are checked by _check_times with brug's clock and limits.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidAudienceError:
            _fail(f"aud must be the token endpoint URL {policy.token_url}", reason="wrong aud")
        except jwt.MissingRequiredClaimError as exc:
            _fail(f"client assertion needs the {exc.claim} claim")
        except jwt.PyJWTError as exc:
            _fail("client assertion is not valid", reason=str(exc))
    _fail(NOT_AUTHENTICATED, reason=f"signature not valid for any key of {client.client_id}")


def verify_client_assertion(
    assertion: str,
    *,
    registry: ClientRegistry,
    policy: AssertionPolicy,
    replay: ReplayCache,
    now: datetime,
) -> RegisteredClient:
    """Return the client that signed ``assertion``; raise ``invalid_client`` otherwise."""
    alg, kid = _header(assertion)
    client_id = _claimed_client(assertion)
    client = registry.get(client_id)
    if client is None:
        _fail(NOT_AUTHENTICATED, reason=f"unknown client {client_id!r}")
    claims = _verified_claims(assertion, client, alg, kid, policy)
    if claims["sub"] != client_id:
        _fail("client assertion sub must equal iss (the client id)")
    _check_times(claims, now, policy)
    jti = claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        _fail(f"jti must be a string of 1 to {MAX_JTI_LENGTH} characters")
    # Stored only now: an attacker without the key cannot use up a client's jti values.
    expires = datetime.fromtimestamp(_numeric(claims, "exp"), UTC) + policy.clock_skew
    if not replay.check_and_store(_replay_key(client_id, jti), expires):
        _fail(
            "client assertion jti was already used; sign a new assertion per request",
            reason="replayed jti",
        )
    return client


def _load_key(key: SigningKey | bytes | str) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    loaded = serialization.load_pem_private_key(data, password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("only RSA and EC keys can sign a client assertion")
    return loaded


def make_client_assertion(
    client_id: str,
    key: SigningKey | bytes | str,
    token_url: str,
    *,
    lifetime: timedelta = timedelta(seconds=60),
    kid: str | None = None,
    algorithm: str | None = None,
    now: datetime | None = None,
    jti: str | None = None,
) -> str:
    """Sign a ``private_key_jwt`` client assertion, as a Flemish backend would.

    ``key`` is a private key object or its unencrypted PEM. The algorithm defaults to RS256 for
    RSA and ES256 for EC keys. Each call uses a new random ``jti``: an assertion is single use.
    """
    private_key = _load_key(key)
    alg = algorithm or ("RS256" if isinstance(private_key, rsa.RSAPrivateKey) else "ES256")
    issued = now or datetime.now(UTC)
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
        "jti": jti or uuid.uuid4().hex,
    }
    headers: dict[str, Any] = {"typ": "JWT"}
    if kid is not None:
        headers["kid"] = kid
    return jwt.encode(claims, private_key, algorithm=alg, headers=headers)
