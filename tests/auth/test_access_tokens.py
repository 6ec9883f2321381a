"""brug's access tokens: verified signature, issuer, audience, type, expiry, current config."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.auth import AccessTokenSigner, AuthService, OAuthError, OAuthErrorCode
from tests.auth.conftest import TOKEN_URL, Kit


def invalid(service: AuthService, token: str) -> OAuthError:
    with pytest.raises(OAuthError) as exc:
        service.verify_access_token(token)
    assert exc.value.error is OAuthErrorCode.INVALID_TOKEN
    assert exc.value.status_code == 401
    assert exc.value.headers()["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    return exc.value


def test_expired_token(kit: Kit) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    issuing = AuthService.from_settings(kit.settings(), clock=lambda: past)
    token = issuing.signer.issue("wse-vov", ["vov:read"]).token
    assert invalid(kit.service(), token).reason == "token expired"


def test_token_signed_by_another_key(kit: Kit, service: AuthService) -> None:
    other = AccessTokenSigner(kit.key("brussels"), issuer=TOKEN_URL, audience="brug-api")
    invalid(service, other.issue("wse-vov", ["vov:read"]).token)


def test_tampered_payload_breaks_the_signature(service: AuthService) -> None:
    token = service.signer.issue("wse-vov", ["vov:read"]).token
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["scope"] = "vov:read vov:write bev:write"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert invalid(service, f"{head}.{forged_body}.{sig}").description == (
        "token signature not valid"
    )


def test_client_assertion_is_not_an_access_token(kit: Kit, service: AuthService) -> None:
    invalid(service, kit.assertion())


def test_wrong_audience_or_issuer(kit: Kit, service: AuthService) -> None:
    key = kit.key("flanders")
    for iss, aud in ((TOKEN_URL, "someone-else"), ("https://evil.test/token", "brug-api")):
        signer = AccessTokenSigner(key, issuer=iss, audience=aud)
        invalid(service, signer.issue("wse-vov", ["vov:read"]).token)


def test_alg_none_token(service: AuthService) -> None:
    token = jwt.encode({"sub": "wse-vov"}, "", algorithm="none", headers={"typ": "at+jwt"})
    invalid(service, token)


def test_withdrawn_scope_and_removed_client_take_effect_before_expiry(kit: Kit) -> None:
    service = kit.service()
    token = service.signer.issue("wse-vov", ["vov:read", "vov:write"]).token
    narrowed = kit.service(
        clients={"wse-vov": {"public_key": kit.pki["flanders"].cert, "scopes": ["vov:read"]}}
    )
    assert narrowed.verify_access_token(token).scopes == {"vov:read"}
    settings = kit.settings()
    without = AuthService.from_settings(
        settings.model_copy(update={"clients": {"bee-sync": settings.clients["bee-sync"]}})
    )
    assert invalid(without, token).reason == "client removed"


def test_jwks_lets_a_backend_verify_tokens_itself(service: AuthService) -> None:
    token = service.signer.issue("wse-vov", ["vov:read"]).token
    (jwk,) = service.jwks()["keys"]
    assert jwk["kid"] == jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(jwk)
    claims = jwt.decode(token, key, algorithms=["RS256"], audience="brug-api", issuer=TOKEN_URL)
    assert claims["client_id"] == "wse-vov"
    assert claims["scope"] == "vov:read"


def test_ec_signing_key_for_access_tokens(kit: Kit) -> None:
    service = kit.service(auth={"signing_key": kit.pki["ecdsa"].key})
    token = service.signer.issue("wse-vov", ["vov:read"]).token
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    assert service.verify_access_token(token).client_id == "wse-vov"


def _minted(service: AuthService, **times: int) -> str:
    """A token signed with the gateway's own key (as a leaked key could), with chosen times."""
    signer = service.signer
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": signer.issuer,
        "sub": "wse-vov",
        "aud": signer.audience,
        "iat": now,
        "exp": now + 60,
        "jti": "t-1",
        "scope": "vov:read",
    }
    claims.update(times)
    headers = {"typ": "at+jwt", "kid": signer.kid}
    return jwt.encode(claims, signer._key, algorithm=signer.algorithm, headers=headers)


def test_a_token_issued_or_valid_only_in_the_future_is_refused(service: AuthService) -> None:
    now = int(datetime.now(UTC).timestamp())
    assert invalid(service, _minted(service, iat=now + 600, exp=now + 660)).reason == (
        "iat in the future"
    )
    assert invalid(service, _minted(service, nbf=now + 600)).reason == "nbf in the future"
    service.verify_access_token(_minted(service, iat=now + 5, nbf=now + 5))  # within the skew


def test_a_token_living_longer_than_the_gateways_own_is_refused(service: AuthService) -> None:
    now = int(datetime.now(UTC).timestamp())
    lifetime = int(service.signer.lifetime.total_seconds())
    long_lived = _minted(service, exp=now + 30 * 24 * 3600)
    assert invalid(service, long_lived).reason == "lifetime over the maximum"
    service.verify_access_token(_minted(service, exp=now + lifetime))  # as issued: accepted
