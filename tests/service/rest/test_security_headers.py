"""Every answer of the gateway application says: do not store, do not sniff, do not frame."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gateway.service.app import create_app
from gateway.service.context import GatewayContext
from gateway.service.soap import SERVICE_PATH

EXPECTED = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
}


def test_api_soap_token_and_error_answers_carry_the_headers(
    context: GatewayContext, auth: dict[str, str]
) -> None:
    with TestClient(create_app(context, delivery=False)) as client:
        answers = [
            client.get("/v1/outbox", headers=auth),  # a 2xx or 403 of the REST API
            client.get("/v1/messages/not-a-message", headers=auth),  # a 4xx
            client.get("/v1/outbox"),  # 401 without a token
            client.post(SERVICE_PATH, content=b"<not-soap/>"),  # a SOAP fault
            client.post("/oauth2/token", data={"grant_type": "password"}),  # the token endpoint
        ]
    for answer in answers:
        for name, value in EXPECTED.items():
            assert answer.headers.get(name) == value, (answer.request.url, name, answer.headers)


def test_links_use_the_configured_public_url(
    own_context: GatewayContext, auth: dict[str, str]
) -> None:
    """Behind a proxy the request's own base URL is the internal address: links and Location
    use [server] public_url when it is set."""
    server = own_context.settings.server.model_copy(
        update={"public_url": "https://brug.example.be"}
    )
    own_context.settings = own_context.settings.model_copy(update={"server": server})
    with TestClient(create_app(own_context, delivery=False)) as client:
        page = client.get("/v1/inbound-records", params={"ssin": "85073003328"}, headers=auth)
    assert page.status_code == 200, page.text
    assert page.json()["self"].startswith("https://brug.example.be/v1/inbound-records")
