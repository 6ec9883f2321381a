"""The console in process: the gateway app over a real store (SQLite and PostgreSQL), with the
TLS client certificate a test names put where ``brug serve`` puts it (the ASGI TLS extension).

The browser tests (``tests/browser``) cover the real TLS handshake; these cover the pages' rules
quickly and on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import load_settings
from gateway.service.app import create_app
from gateway.service.context import GatewayContext, build_context
from gateway.wssecurity.pki import OPERATOR_SUBJECTS, PkiLayout, init_pki
from tests.support.store import (  # noqa: F401 - pytest fixtures
    pg_database,
    pg_url,
    sqlite_url,
    store_url,
)

#: Request header naming the dev PKI party whose certificate the "TLS peer" presents.
PEER = "x-test-peer"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("console-pki"))


class PeerCertificate:
    """Puts the named party's certificate in ``scope["extensions"]["tls"]``, as
    :class:`gateway.service.http_protocol.BoundedHttpToolsProtocol` does for a real peer."""

    def __init__(self, app: ASGIApp, pki: PkiLayout) -> None:
        self.app = app
        self.pki = pki

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = dict(scope["headers"]).get(PEER.encode())
            if name:
                pem = Path(self.pki[name.decode()].cert).read_text()
                scope = {**scope, "extensions": {"tls": {"client_cert_chain": [pem]}}}
        await self.app(scope, receive, send)


def write_config(directory: Path, pki: PkiLayout, url: str) -> Path:
    p = pki.root
    text = f"""
[server]
tls_cert = "{p / "flanders.pem"}"
tls_key = "{p / "flanders.key"}"
client_ca = "{p / "ca.pem"}"

[store]
url = "{url}"

[pki]
key = "{p / "flanders.key"}"
cert = "{p / "flanders.pem"}"
trust = ["{p / "ca.pem"}"]

[partners.brussels]
url = "http://127.0.0.1:9/services/bev/v1"
pinned_cert = "{p / "brussels.pem"}"
operations = ["ReceiveBevRecord"]

[audit]
insz_hash_key = "test-only-insz-hash-key-0123456789abcdef"

[console.operators.ann]
name = "Ann"
cert_subject = "{OPERATOR_SUBJECTS["operator-admin"]}"
role = "admin"

[console.operators.vic]
cert_subject = "{OPERATOR_SUBJECTS["operator-viewer"]}"
"""
    path = directory / "brug.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def context(
    tmp_path: Path,
    pki: PkiLayout,
    store_url: str,  # noqa: F811 - the fixture
) -> Iterator[GatewayContext]:
    built = build_context(load_settings(write_config(tmp_path, pki, store_url)))
    yield built
    built.close()


@pytest.fixture
def client(context: GatewayContext, pki: PkiLayout) -> Iterator[TestClient]:
    app = PeerCertificate(create_app(context, delivery=False), pki)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def sign_in(client: TestClient, party: str) -> str:
    """Sign ``party`` in; returns the CSRF token of the new session."""
    answer = client.get("/console/login", headers={PEER: party})
    assert answer.status_code == 303, answer.text
    page = client.get("/console/audit", headers={PEER: party})
    assert page.status_code == 200
    marker = 'name="csrf" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]
