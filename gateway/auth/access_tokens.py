"""brug's own access tokens: short-lived JWTs in the RFC 9068 profile, signed by the gateway key.

A self-contained signed token lets every gateway process (and a Flemish backend, through
:meth:`AccessTokenSigner.jwks`) check a token without a shared session store. The price of not
being able to revoke one is bounded by the lifetime (5 minutes by default), and by the fact that
:class:`gateway.auth.service.AuthService` re-applies the *current* client configuration on each
request: a removed client or a withdrawn scope stops working at once.

The header ``typ`` is ``at+jwt`` and is checked, so that no other JWT ever signed with the same
key can pass as an access token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth.errors import OAuthError, OAuthErrorCode
from gateway.store.clock import Clock, utcnow

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 (a media type)
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def public_jwk(key: PublicKey) -> dict[str, str]:
    """The required JWK members of ``key`` (RFC 7517/7518), in RFC 7638 order."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}
    size = (key.curve.key_size + 7) // 8
    point = key.public_numbers()
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64(point.x.to_bytes(size, "big")),
        "y": _b64(point.y.to_bytes(size, "big")),
    }


def jwk_thumbprint(key: PublicKey) -> str:
    """RFC 7638 thumbprint: a key id derived from the key, so it changes exactly when the key
    does and needs no configuration."""
    canonical = json.dumps(public_jwk(key), separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode("ascii")).digest())


def default_algorithm(key: SigningKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("an EC access-token key must be on P-256 (ES256)")
    return "ES256"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_in: int
    scopes: tuple[str, ...]
    token_id: str


@dataclass(frozen=True, slots=True)
class TokenClaims:
    client_id: str
    scopes: frozenset[str]
    token_id: str
    expires_at: datetime


def _invalid(description: str, reason: str | None = None) -> OAuthError:
    return OAuthError(OAuthErrorCode.INVALID_TOKEN, description, reason=reason)


class AccessTokenSigner:
    """Issues and verifies access tokens with one gateway key."""

    def __init__(
        self,
        key: SigningKey,
        *,
        issuer: str,
        audience: str,
        lifetime: timedelta = timedelta(minutes=5),
        algorithm: str | None = None,
        clock_skew: timedelta = timedelta(seconds=30),
        clock: Clock = utcnow,
    ) -> None:
        self._key = key
        self._public = key.public_key()
        self.algorithm = algorithm or default_algorithm(key)
        if self.algorithm not in ("RS256", "PS256", "ES256"):
            raise ValueError("access tokens are signed with RS256, PS256 or ES256")
        if self.algorithm == "ES256" and not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("ES256 needs an EC P-256 key")
        if self.algorithm != "ES256" and not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{self.algorithm} needs an RSA key")
        self.kid = jwk_thumbprint(self._public)
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self._skew = clock_skew
        self._clock = clock

    def issue(self, client_id: str, scopes: Iterable[str]) -> IssuedToken:
        now = self._clock()
        granted = tuple(sorted(set(scopes)))
        token_id = uuid.uuid4().hex
        claims = {
            "iss": self.issuer,
            "sub": client_id,
            "client_id": client_id,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int((now + self.lifetime).timestamp()),
            "jti": token_id,
            "scope": " ".join(granted),
        }
        headers = {"typ": ACCESS_TOKEN_TYPE, "kid": self.kid}
        token = jwt.encode(claims, self._key, algorithm=self.algorithm, headers=headers)
        return IssuedToken(token, int(self.lifetime.total_seconds()), granted, token_id)

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid token; ``invalid_token`` (401) for anything else."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _invalid("not a signed JWT") from None
        typ = str(header.get("typ", "")).lower().removeprefix("application/")
        if typ != ACCESS_TOKEN_TYPE:
            raise _invalid("not a brug access token", reason=f"typ {typ!r}")
        if header.get("alg") != self.algorithm or header.get("kid") != self.kid:
            raise _invalid("token not signed by this gateway", reason="alg or kid mismatch")
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require": ["iss", "sub", "aud", "exp", "iat", "jti", "scope"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise _invalid("token signature not valid") from None
        except jwt.PyJWTError as exc:
            raise _invalid("token not valid", reason=str(exc)) from None
        return self._checked(claims)

    def _checked(self, claims: Mapping[str, Any]) -> TokenClaims:
        """Times checked against this gateway's clock with its skew: not expired, not issued
        or valid only in the future, and not living longer than the tokens this gateway issues
        (a token minted with a long life, e.g. by a leaked key, is refused all the same)."""
        exp, iat, nbf = claims["exp"], claims["iat"], claims.get("nbf", claims["iat"])
        if any(isinstance(t, bool) or not isinstance(t, int | float) for t in (exp, iat, nbf)):
            raise _invalid("token times (exp, iat, nbf) not valid")
        now = self._clock()
        if exp <= (now - self._skew).timestamp():
            raise _invalid("token has expired", reason="token expired")
        if iat > (now + self._skew).timestamp():
            raise _invalid("token issued in the future", reason="iat in the future")
        if nbf > (now + self._skew).timestamp():
            raise _invalid("token not valid yet", reason="nbf in the future")
        if exp - iat > (self.lifetime + self._skew).total_seconds():
            raise _invalid(
                "token lives longer than this gateway's tokens", reason="lifetime over the maximum"
            )
        scope, sub = claims["scope"], claims["sub"]
        if not isinstance(scope, str) or not isinstance(sub, str):
            raise _invalid("token claims not valid")
        return TokenClaims(
            client_id=sub,
            scopes=frozenset(scope.split()),
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(float(exp), now.tzinfo),
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public key as a JWKS, for ``/.well-known/jwks.json``."""
        jwk = {**public_jwk(self._public), "kid": self.kid, "alg": self.algorithm, "use": "sig"}
        return {"keys": [jwk]}
