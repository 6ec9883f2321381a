"""The token endpoint: a good assertion gets a token; every bad one gets the right RFC error."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from gateway.auth import (
    CLIENT_ASSERTION_TYPE,
    AuthService,
    OAuthError,
    OAuthErrorCode,
    TokenRequest,
    make_client_assertion,
)
from gateway.auth.assertion import NOT_AUTHENTICATED
from tests.auth.conftest import BEE_KID, TOKEN_URL, Kit


def request(assertion: str, scope: str | None = None, **kw: Any) -> TokenRequest:
    return TokenRequest(
        grant_type=kw.pop("grant_type", "client_credentials"),
        client_assertion_type=kw.pop("client_assertion_type", CLIENT_ASSERTION_TYPE),
        client_assertion=assertion,
        scope=scope,
        **kw,
    )


def refused(service: AuthService, form: TokenRequest) -> OAuthError:
    with pytest.raises(OAuthError) as exc:
        service.issue_token(form)
    return exc.value


def b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(client_id: str = "wse-vov", **kw: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 60,
        "jti": kw.pop("jti", "j-" + str(now)),
        **kw,
    }


# --- success ---------------------------------------------------------------------------------


def test_valid_assertion_gets_a_short_lived_access_token(kit: Kit, service: AuthService) -> None:
    response = service.issue_token(request(kit.assertion()))
    assert response.token_type == "Bearer"
    assert response.expires_in == 300
    assert response.scope == "vov:read vov:write"
    header = jwt.get_unverified_header(response.access_token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    principal = service.verify_access_token(response.access_token)
    assert principal.client_id == "wse-vov"
    assert principal.scopes == {"vov:read", "vov:write"}
    assert principal.method == "access_token"


def test_requested_scope_narrows_the_grant(kit: Kit, service: AuthService) -> None:
    response = service.issue_token(request(kit.assertion(), scope="vov:read"))
    assert response.scope == "vov:read"
    assert service.verify_access_token(response.access_token).scopes == {"vov:read"}


def test_es256_client_from_a_jwks_file_with_kid(kit: Kit, service: AuthService) -> None:
    assertion = kit.assertion("bee-sync", "ecdsa", kid=BEE_KID)
    assert jwt.get_unverified_header(assertion)["alg"] == "ES256"
    assert service.issue_token(request(assertion)).scope == "bev:read"


def test_ps256_is_accepted(kit: Kit, service: AuthService) -> None:
    assertion = kit.assertion(algorithm="PS256")
    assert service.issue_token(request(assertion)).scope == "vov:read vov:write"


def test_matching_client_id_parameter_is_allowed(kit: Kit, service: AuthService) -> None:
    service.issue_token(request(kit.assertion(), client_id="wse-vov"))


# --- refusals: the assertion -----------------------------------------------------------------


def test_expired_assertion(kit: Kit, service: AuthService) -> None:
    old = datetime.now(UTC) - timedelta(minutes=10)
    error = refused(service, request(kit.assertion(now=old)))
    assert error.error is OAuthErrorCode.INVALID_CLIENT
    assert error.status_code == 401
    assert error.reason == "assertion expired"
    assert error.as_dict() == {
        "error": "invalid_client",
        "error_description": "client assertion has expired",
    }


def test_assertion_living_longer_than_five_minutes(kit: Kit, service: AuthService) -> None:
    error = refused(service, request(kit.assertion(lifetime=timedelta(minutes=30))))
    assert error.error is OAuthErrorCode.INVALID_CLIENT
    assert "within 300 seconds" in error.description


def test_iat_in_the_future(kit: Kit, service: AuthService) -> None:
    later = datetime.now(UTC) + timedelta(minutes=3)
    error = refused(service, request(kit.assertion(now=later)))
    assert "iat is in the future" in error.description


def test_wrong_audience(kit: Kit, service: AuthService) -> None:
    assertion = kit.assertion(token_url="https://other-server.test/token")
    error = refused(service, request(assertion))
    assert (error.error, error.reason) == (OAuthErrorCode.INVALID_CLIENT, "wrong aud")
    assert TOKEN_URL in error.description


def test_wrong_issuer_sub_mismatch(kit: Kit, service: AuthService) -> None:
    token = jwt.encode(claims(sub="someone-else"), kit.key("flanders"), algorithm="RS256")
    error = refused(service, request(token))
    assert error.error is OAuthErrorCode.INVALID_CLIENT
    assert "sub must equal iss" in error.description


def test_unknown_client_and_foreign_key_read_the_same(kit: Kit, service: AuthService) -> None:
    unknown = refused(service, request(kit.assertion("nobody")))
    # wse-vov's id, but signed with the brussels key (another party's key).
    foreign = refused(service, request(kit.assertion("wse-vov", "brussels")))
    # bee-sync's id with wse-vov's (RSA) key: another *client's* key.
    other_client = refused(service, request(kit.assertion("bee-sync", "flanders")))
    for error in (unknown, foreign, other_client):
        assert error.error is OAuthErrorCode.INVALID_CLIENT
        assert error.description == NOT_AUTHENTICATED
    assert unknown.reason == "unknown client 'nobody'"
    assert foreign.reason == "signature not valid for any key of wse-vov"


def test_replayed_jti(kit: Kit, service: AuthService) -> None:
    assertion = kit.assertion(jti="once-only")
    service.issue_token(request(assertion))
    error = refused(service, request(assertion))
    assert (error.error, error.reason) == (OAuthErrorCode.INVALID_CLIENT, "replayed jti")
    # The same jti value from another client is a different key: not a replay.
    service.issue_token(request(kit.assertion("bee-sync", "ecdsa", kid=BEE_KID, jti="once-only")))


def test_alg_none(kit: Kit, service: AuthService) -> None:
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    error = refused(service, request(unsigned))
    assert error.error is OAuthErrorCode.INVALID_CLIENT
    assert error.reason == "algorithm 'none' refused"


def test_hs256_with_the_public_key_as_secret(kit: Kit, service: AuthService) -> None:
    """The key-confusion attack: HMAC keyed with the client's *public* key, which anyone has."""
    public_pem = (
        kit.key("flanders")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims())}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{b64(mac)}"
    error = refused(service, request(forged))
    assert error.error is OAuthErrorCode.INVALID_CLIENT
    assert error.reason == "algorithm 'HS256' refused"


def test_rs256_header_on_an_ec_client_is_refused(kit: Kit, service: AuthService) -> None:
    """An algorithm that does not fit the registered key type never reaches verification."""
    error = refused(service, request(kit.assertion("bee-sync", "flanders", kid=BEE_KID)))
    assert error.description == NOT_AUTHENTICATED


def test_missing_jti(kit: Kit, service: AuthService) -> None:
    body = claims()
    del body["jti"]
    error = refused(service, request(jwt.encode(body, kit.key("flanders"), algorithm="RS256")))
    assert error.error is OAuthErrorCode.INVALID_CLIENT
    assert "jti" in error.description


def test_garbage_assertion(service: AuthService) -> None:
    error = refused(service, request("not-a-jwt"))
    assert error.error is OAuthErrorCode.INVALID_CLIENT


def test_mtls_only_client_cannot_use_an_assertion(kit: Kit, service: AuthService) -> None:
    error = refused(service, request(kit.assertion("fed-mtls", "federal")))
    assert error.description == NOT_AUTHENTICATED


# --- refusals: the request -------------------------------------------------------------------


def test_unsupported_grant_type(kit: Kit, service: AuthService) -> None:
    error = refused(service, request(kit.assertion(), grant_type="password"))
    assert (error.error, error.status_code) == (OAuthErrorCode.UNSUPPORTED_GRANT_TYPE, 400)


def test_missing_grant_type(kit: Kit, service: AuthService) -> None:
    error = refused(service, request(kit.assertion(), grant_type=None))
    assert (error.error, error.status_code) == (OAuthErrorCode.INVALID_REQUEST, 400)


def test_wrong_assertion_type(kit: Kit, service: AuthService) -> None:
    form = request(kit.assertion(), client_assertion_type="urn:ietf:params:oauth:saml2")
    assert refused(service, form).error is OAuthErrorCode.INVALID_CLIENT


def test_no_assertion_at_all(service: AuthService) -> None:
    form = TokenRequest("client_credentials", None, None)
    assert refused(service, form).error is OAuthErrorCode.INVALID_CLIENT


def test_scope_not_allowed(kit: Kit, service: AuthService) -> None:
    error = refused(service, request(kit.assertion(), scope="vov:read bev:write"))
    assert (error.error, error.status_code) == (OAuthErrorCode.INVALID_SCOPE, 400)
    assert "bev:write" in error.description


def test_client_id_parameter_must_match(kit: Kit, service: AuthService) -> None:
    error = refused(service, request(kit.assertion(), client_id="bee-sync"))
    assert error.error is OAuthErrorCode.INVALID_CLIENT


def test_repeated_form_parameter_is_invalid_request() -> None:
    with pytest.raises(OAuthError) as exc:
        TokenRequest.from_form({"grant_type": ["client_credentials", "password"]})
    assert exc.value.error is OAuthErrorCode.INVALID_REQUEST


def test_make_client_assertion_accepts_pem(kit: Kit, service: AuthService) -> None:
    pem = kit.pki["flanders"].key.read_bytes()
    assertion = make_client_assertion("wse-vov", pem, TOKEN_URL)
    assert service.issue_token(request(assertion)).access_token
