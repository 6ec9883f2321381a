"""A client publishing its keys at a JWKS URL: fetched over real HTTP, cached, rotated."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.auth import AuthService, OAuthError, make_client_assertion
from gateway.auth.access_tokens import public_jwk
from gateway.auth.client_keys import KeySourceUnavailable, RemoteClientKeys
from tests.auth.conftest import TOKEN_URL, Kit
from tests.auth.test_token_endpoint import request


class KeyServer:
    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.hits = 0
        self.fail = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                status, body = (
                    (503, b"down") if outer.fail else (200, json.dumps(outer.document).encode())
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, *keys: tuple[ec.EllipticCurvePrivateKey, str]) -> None:
        self.document = {
            "keys": [{**public_jwk(k.public_key()), "kid": kid, "use": "sig"} for k, kid in keys]
        }


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_assertion_checked_against_a_published_jwks(kit: Kit, key_server: KeyServer) -> None:
    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    key_server.publish((old, "k1"))
    service = AuthService.from_settings(
        kit.settings(clients={"remote": {"jwks_url": key_server.url, "scopes": ["odb:read"]}})
    )
    assert service.issue_token(request(make_client_assertion("remote", old, TOKEN_URL, kid="k1")))
    service.issue_token(request(make_client_assertion("remote", old, TOKEN_URL, kid="k1")))
    assert key_server.hits == 1  # cached

    # The client rotates: a new kid makes brug fetch again (once the cool-down allows it).
    key_server.publish((old, "k1"), (new, "k2"))
    with pytest.raises(OAuthError):  # within min_refresh: no refetch yet
        service.issue_token(request(make_client_assertion("remote", new, TOKEN_URL, kid="k2")))
    keys = service.registry.get("remote").keys  # type: ignore[union-attr]
    assert isinstance(keys, RemoteClientKeys)
    keys._min_refresh = 0
    assert service.issue_token(request(make_client_assertion("remote", new, TOKEN_URL, kid="k2")))
    assert key_server.hits == 2


def test_unreachable_key_server(key_server: KeyServer) -> None:
    key_server.fail = True
    keys = RemoteClientKeys(key_server.url)
    with pytest.raises(KeySourceUnavailable):
        keys.candidates("k1", "ES256")


def test_cached_keys_survive_a_key_server_outage(key_server: KeyServer) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    key_server.publish((key, "k1"))
    now = [0.0]
    keys = RemoteClientKeys(key_server.url, lifespan=10, clock=lambda: now[0])
    assert keys.candidates("k1", "ES256")
    key_server.fail = True
    now[0] = 60.0  # stale: refetch fails, old keys still served
    assert keys.candidates("k1", "ES256")
    hits = key_server.hits
    now[0] = 61.0  # and no new attempt on every request
    assert keys.candidates("k1", "ES256")
    assert key_server.hits == hits
