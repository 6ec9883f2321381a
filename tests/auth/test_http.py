"""The auth pieces inside a real FastAPI app, over httpx's ASGI transport (no server, no mocks)."""

from __future__ import annotations

import asyncio
import base64
import urllib.parse
from typing import Annotated, Any

import httpx
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import Depends, FastAPI

from gateway.auth import (
    CLIENT_ASSERTION_TYPE,
    AuthService,
    Principal,
    install_auth,
    require_scope,
)
from gateway.auth.mtls import certificate_pem
from gateway.observability import BrugMetrics, CorrelationIdMiddleware
from tests.auth.conftest import Kit

PROXY = ("127.0.0.1", 40000)
ELSEWHERE = ("203.0.113.9", 40000)


def make_app(kit: Kit, service: AuthService, metrics: BrugMetrics | None = None) -> FastAPI:
    app = FastAPI()
    install_auth(app, service, kit.settings().server)

    @app.post("/vov/registrations")
    async def submit(
        principal: Annotated[Principal, Depends(require_scope("vov:write"))],
    ) -> dict[str, Any]:
        return {"client": principal.client_id, "method": principal.method}

    @app.get("/bev/records")
    async def records(
        principal: Annotated[Principal, Depends(require_scope("bev:read"))],
    ) -> dict[str, Any]:
        return {"client": principal.client_id, "method": principal.method}

    if metrics is not None:
        app.add_middleware(CorrelationIdMiddleware, metrics=metrics)
    return app


def call(
    app: FastAPI, method: str, url: str, peer: tuple[str, int] = PROXY, **kw: Any
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url="https://brug.test") as client:
            return await client.request(method, url, **kw)

    return asyncio.run(go())


def token_form(assertion: str, **extra: str) -> dict[str, Any]:
    body = {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion,
        **extra,
    }
    return {
        "content": urllib.parse.urlencode(body),
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    }


def test_token_then_protected_call(kit: Kit, service: AuthService) -> None:
    app = make_app(kit, service)
    response = call(app, "POST", "/oauth2/token", **token_form(kit.assertion()))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    ok = call(app, "POST", "/vov/registrations", headers=bearer)
    assert ok.status_code == 200
    assert ok.json() == {"client": "wse-vov", "method": "access_token"}


def test_token_endpoint_errors_are_rfc6749_json(kit: Kit, service: AuthService) -> None:
    app = make_app(kit, service)
    bad = call(app, "POST", "/oauth2/token", **token_form(kit.assertion("nobody")))
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    assert bad.headers["cache-control"] == "no-store"
    scope = call(app, "POST", "/oauth2/token", **token_form(kit.assertion(), scope="bev:write"))
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")
    grant = call(
        app, "POST", "/oauth2/token", **token_form(kit.assertion(), grant_type="authorization_code")
    )
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    repeated = token_form(kit.assertion())
    repeated["content"] += "&grant_type=password"
    twice = call(app, "POST", "/oauth2/token", **repeated)
    assert (twice.status_code, twice.json()["error"]) == (400, "invalid_request")
    as_json = call(app, "POST", "/oauth2/token", json={"grant_type": "client_credentials"})
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")


def test_missing_scope_is_403_insufficient_scope(kit: Kit, service: AuthService) -> None:
    app = make_app(kit, service)
    response = call(app, "POST", "/oauth2/token", **token_form(kit.assertion(), scope="vov:read"))
    token = response.json()["access_token"]
    denied = call(app, "POST", "/vov/registrations", headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 403
    assert denied.json()["error"] == "insufficient_scope"
    assert 'scope="vov:write"' in denied.headers["www-authenticate"]


def test_no_credentials_is_401_with_a_bearer_challenge(kit: Kit, service: AuthService) -> None:
    response = call(make_app(kit, service), "POST", "/vov/registrations")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="brug"'


def test_bad_bearer_token_is_401_invalid_token(kit: Kit, service: AuthService) -> None:
    app = make_app(kit, service)
    for value in ("Bearer not.a.token", "Basic d2U6dm92", "Bearer "):
        response = call(app, "POST", "/vov/registrations", headers={"Authorization": value})
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"


def test_client_certificate_from_a_trusted_proxy(kit: Kit, service: AuthService) -> None:
    app = make_app(kit, service)
    escaped = urllib.parse.quote(certificate_pem(kit.cert("brussels")), safe="")
    response = call(app, "GET", "/bev/records", headers={"X-SSL-Client-Cert": escaped})
    assert response.status_code == 200
    assert response.json() == {"client": "bee-mtls", "method": "mtls"}


def test_client_certificate_header_from_anyone_else_is_ignored(
    kit: Kit, service: AuthService
) -> None:
    app = make_app(kit, service)
    escaped = urllib.parse.quote(certificate_pem(kit.cert("brussels")), safe="")
    response = call(
        app, "GET", "/bev/records", peer=ELSEWHERE, headers={"X-SSL-Client-Cert": escaped}
    )
    assert response.status_code == 401


def test_haproxy_base64_der_and_unregistered_certificate(kit: Kit, service: AuthService) -> None:
    app = make_app(kit, service)
    der = base64.b64encode(kit.cert("untrusted").public_bytes(Encoding.DER)).decode()
    response = call(app, "GET", "/bev/records", headers={"X-SSL-Client-Cert": der})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    garbage = call(app, "GET", "/bev/records", headers={"X-SSL-Client-Cert": "%%%not-a-cert"})
    assert (garbage.status_code, garbage.json()["error"]) == (401, "invalid_client")


def test_jwks_endpoint(kit: Kit, service: AuthService) -> None:
    response = call(make_app(kit, service), "GET", "/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.json()["keys"][0]["kid"] == service.signer.kid


def test_request_metrics_are_labelled_by_client_and_route(kit: Kit, service: AuthService) -> None:
    metrics = BrugMetrics()
    app = make_app(kit, service, metrics)
    escaped = urllib.parse.quote(certificate_pem(kit.cert("brussels")), safe="")
    call(app, "GET", "/bev/records", headers={"X-SSL-Client-Cert": escaped})
    call(app, "GET", "/bev/records")
    text = metrics.exposition().decode()
    assert 'brug_request_seconds_count{operation="/bev/records",partner="bee-mtls"} 1.0' in text
    assert 'brug_request_seconds_count{operation="/bev/records",partner="anonymous"} 1.0' in text
