"""The token endpoint and the checks behind every protected request, in one object.

:class:`AuthService` is framework-free (plain values in, :class:`TokenResponse`/:class:`Principal`
out, :class:`OAuthError` for refusals) so that it is tested without HTTP and reused by any
transport; :mod:`gateway.auth.fastapi` adapts it to FastAPI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import BaseModel, ConfigDict

from gateway.auth.access_tokens import AccessTokenSigner, SigningKey
from gateway.auth.assertion import CLIENT_ASSERTION_TYPE, AssertionPolicy, verify_client_assertion
from gateway.auth.errors import OAuthError, OAuthErrorCode
from gateway.auth.mtls import principal_from_client_cert
from gateway.auth.principal import Principal
from gateway.auth.registry import ClientRegistry
from gateway.config.material import gateway_key_material
from gateway.config.settings import Settings
from gateway.store.clock import Clock, utcnow
from gateway.wssecurity.replay import InMemoryReplayCache, ReplayCache

GRANT_CLIENT_CREDENTIALS = "client_credentials"
FORM_FIELDS = ("grant_type", "client_assertion_type", "client_assertion", "scope", "client_id")


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """The form of a ``POST /oauth2/token`` (RFC 6749 §4.4.2 with RFC 7523 client auth)."""

    grant_type: str | None
    client_assertion_type: str | None
    client_assertion: str | None
    scope: str | None = None
    client_id: str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, Sequence[str]]) -> TokenRequest:
        """From parsed form data (``urllib.parse.parse_qs`` shape: name -> list of values).

        RFC 6749 §3.2: a parameter sent twice makes the request invalid, rather than letting
        the server pick one of the values.
        """
        values: dict[str, str | None] = {}
        for name in FORM_FIELDS:
            given = form.get(name, [])
            if len(given) > 1:
                raise OAuthError(OAuthErrorCode.INVALID_REQUEST, f"{name} sent more than once")
            values[name] = given[0] if given else None
        return cls(**values)


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 successful response."""

    model_config = ConfigDict(frozen=True)

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a token type)
    expires_in: int
    scope: str


def _granted_scopes(requested: str | None, allowed: frozenset[str]) -> tuple[str, ...]:
    """RFC 6749 §3.3: no scope asked means the client's full configured set."""
    if requested is None or not requested.strip():
        return tuple(sorted(allowed))
    asked = set(requested.split())
    refused = sorted(asked - allowed)
    if refused:
        raise OAuthError(
            OAuthErrorCode.INVALID_SCOPE,
            f"scope not allowed for this client: {' '.join(refused)}",
        )
    return tuple(sorted(asked))


class AuthService:
    """Issue access tokens to authenticated clients and turn credentials into principals."""

    def __init__(
        self,
        *,
        registry: ClientRegistry,
        signer: AccessTokenSigner,
        policy: AssertionPolicy,
        replay: ReplayCache,
        clock: Clock = utcnow,
    ) -> None:
        self.registry = registry
        self.signer = signer
        self.policy = policy
        self._replay = replay
        self._clock = clock

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        replay: ReplayCache | None = None,
        clock: Clock = utcnow,
    ) -> AuthService:
        """Build from ``[auth]``, ``[clients.*]`` and (for the signing key) ``[pki]``.

        Give ``replay`` a store shared by all processes (``gateway.store.replay.SqlReplayCache``)
        when more than one process serves the token endpoint; the in-memory default only
        protects a single process.
        """
        auth = settings.auth
        registry = ClientRegistry.from_config(
            settings.clients, jwks_lifespan=auth.jwks_cache.total_seconds()
        )
        signer = AccessTokenSigner(
            _access_token_key(settings),
            issuer=auth.token_url,
            audience=auth.audience,
            lifetime=auth.token_lifetime,
            algorithm=auth.signing_algorithm,
            clock_skew=auth.clock_skew,
            clock=clock,
        )
        policy = AssertionPolicy(auth.token_url, auth.assertion_max_lifetime, auth.clock_skew)
        return cls(
            registry=registry,
            signer=signer,
            policy=policy,
            replay=replay or InMemoryReplayCache(clock=clock),
            clock=clock,
        )

    def issue_token(self, form: TokenRequest) -> TokenResponse:
        """The token endpoint: client credentials grant, client authenticated by a JWT."""
        if not form.grant_type:
            raise OAuthError(OAuthErrorCode.INVALID_REQUEST, "grant_type is required")
        if form.grant_type != GRANT_CLIENT_CREDENTIALS:
            raise OAuthError(
                OAuthErrorCode.UNSUPPORTED_GRANT_TYPE,
                "only grant_type=client_credentials is supported",
            )
        if not form.client_assertion or not form.client_assertion_type:
            raise OAuthError(
                OAuthErrorCode.INVALID_CLIENT,
                "authenticate with client_assertion_type and client_assertion (private_key_jwt)",
                reason="no client assertion",
            )
        if form.client_assertion_type != CLIENT_ASSERTION_TYPE:
            raise OAuthError(
                OAuthErrorCode.INVALID_CLIENT,
                f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}",
            )
        client = verify_client_assertion(
            form.client_assertion,
            registry=self.registry,
            policy=self.policy,
            replay=self._replay,
            now=self._clock(),
        )
        if form.client_id is not None and form.client_id != client.client_id:
            raise OAuthError(
                OAuthErrorCode.INVALID_CLIENT, "client_id does not match the assertion's iss"
            )
        scopes = _granted_scopes(form.scope, client.scopes)
        issued = self.signer.issue(client.client_id, scopes)
        return TokenResponse(
            access_token=issued.token, expires_in=issued.expires_in, scope=" ".join(scopes)
        )

    def verify_access_token(self, token: str) -> Principal:
        """The principal behind a bearer token, with today's configuration applied.

        A client removed from the configuration is refused; its scopes are narrowed to those it
        is still allowed, so a withdrawal takes effect before the token expires.
        """
        claims = self.signer.verify(token)
        client = self.registry.get(claims.client_id)
        if client is None:
            raise OAuthError(
                OAuthErrorCode.INVALID_TOKEN, "client no longer registered", reason="client removed"
            )
        return Principal(
            client.client_id,
            claims.scopes & client.scopes,
            method="access_token",
            token_id=claims.token_id,
        )

    def principal_from_client_cert(self, der_or_pem: bytes | str | x509.Certificate) -> Principal:
        """The principal for a TLS client certificate (see :mod:`gateway.auth.mtls`)."""
        clients = {c.client_id: c.config for c in self.registry}
        return principal_from_client_cert(der_or_pem, clients, now=self._clock())

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return self.signer.jwks()


def _access_token_key(settings: Settings) -> SigningKey:
    """``auth.signing_key`` when set, else the gateway's ``[pki]`` key."""
    auth = settings.auth
    if auth.signing_key is None:
        return gateway_key_material(settings.pki).private_key
    password = auth.signing_key_password
    key = serialization.load_pem_private_key(
        auth.signing_key.read_bytes(),
        password=password.get_secret_value().encode() if password else None,
    )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("auth.signing_key must be an RSA or EC P-256 private key")
    return key


__all__ = [
    "GRANT_CLIENT_CREDENTIALS",
    "AuthService",
    "TokenRequest",
    "TokenResponse",
]
