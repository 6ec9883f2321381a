"""A real gateway app for the REST tests: settings TOML in a temp dir, SQLite store, dev PKI,
Brussels and federal simulators as subprocesses, tokens from the real token endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from adapters.simulation.process import RunningProcess
from gateway.auth import install_auth, make_client_assertion
from gateway.config import load_settings
from gateway.observability.middleware import CorrelationIdMiddleware
from gateway.service.context import GatewayContext, build_context
from gateway.service.rest import install_rest_api, openapi_metadata
from gateway.service.rest.resources import rest_json
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import (  # noqa: F401 - pytest fixtures
    brussels_sim,
    federal_sim,
    pki,
)

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "wse-vov-backend"
#: Another Flemish backend (reads and submits, but not CLIENT_ID's messages) and an operator.
OTHER_CLIENT_ID = "odb-backend"
OPERATOR_CLIENT_ID = "brug-operator"
TOKEN_URL = "https://brug.test/oauth2/token"
ALL_SCOPES = ("vov:read", "vov:write", "odb:read", "odb:write", "vok:read", "reports:read")


def canonical(name: str) -> Any:
    """An ``examples/`` file as it is: a canonical record (Python property names)."""
    return json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))


def example(name: str) -> Any:
    """An ``examples/`` file as a REST client sends it (lowerCamelCase, Belgif names)."""
    return rest_json(canonical(name))


def write_settings(directory: Path, layout: PkiLayout, brussels_url: str, federal_url: str) -> Path:
    pki = layout  # noqa: F811 - the f-string below reads better with the usual name
    scopes = ", ".join(f'"{s}"' for s in ALL_SCOPES)
    text = f"""
[store]
url = "sqlite:///{directory / "brug.db"}"

[pki]
key = "{pki["flanders"].key}"
cert = "{pki["flanders"].cert}"
trust = ["{pki.ca_cert}"]

[partners.brussels]
url = "{brussels_url}"
wsse_profile = "strict"
pinned_cert = "{pki["brussels"].cert}"
operations = ["ReceiveBevRecord", "GetBevRecord"]
timeout = "10s"

[partners.federal]
url = "{federal_url}"
wsse_profile = "ksz"
pinned_cert = "{pki["federal"].cert}"
operations = ["GetCareerBreaks"]
timeout = "10s"

[clients.{CLIENT_ID}]
public_key = "{pki["flanders"].cert}"
scopes = [{scopes}]

[clients.{OTHER_CLIENT_ID}]
public_key = "{pki["flanders"].cert}"
scopes = ["vov:read", "vov:write"]

[clients.{OPERATOR_CLIENT_ID}]
public_key = "{pki["flanders"].cert}"
scopes = ["vov:read", "outbox:admin"]

[auth]
token_url = "{TOKEN_URL}"

[audit]
insz_hash_key = "test-only-insz-hash-key-0123456789abcdef"
"""
    path = directory / "brug.toml"
    path.write_text(text, encoding="utf-8")
    return path


def new_context(
    directory: Path, layout: PkiLayout, brussels: RunningProcess, federal: RunningProcess
) -> GatewayContext:
    settings = load_settings(
        write_settings(directory, layout, brussels.service_url, federal.service_url)
    )
    return build_context(settings)


@pytest.fixture(scope="session")
def context(
    tmp_path_factory: pytest.TempPathFactory,
    pki: PkiLayout,  # noqa: F811
    brussels_sim: RunningProcess,  # noqa: F811
    federal_sim: RunningProcess,  # noqa: F811
) -> Iterator[GatewayContext]:
    """One gateway for the session (tests use fresh ids and never count global rows)."""
    built = new_context(tmp_path_factory.mktemp("rest"), pki, brussels_sim, federal_sim)
    yield built
    built.close()


@pytest.fixture
def own_context(
    tmp_path: Path,
    pki: PkiLayout,  # noqa: F811
    brussels_sim: RunningProcess,  # noqa: F811
    federal_sim: RunningProcess,  # noqa: F811
) -> Iterator[GatewayContext]:
    """A gateway with an empty store, for tests that drain the outbox."""
    built = new_context(tmp_path, pki, brussels_sim, federal_sim)
    yield built
    built.close()


def build_app(context: GatewayContext) -> FastAPI:
    app = FastAPI(**openapi_metadata())
    app.add_middleware(CorrelationIdMiddleware, metrics=context.metrics)
    install_auth(app, context.auth, context.settings.server)
    install_rest_api(app, context)
    return app


@pytest.fixture(scope="session")
def app(context: GatewayContext) -> FastAPI:
    return build_app(context)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def token_for(client: TestClient, pki: PkiLayout) -> TokenFactory:  # noqa: F811
    key = pki["flanders"].key.read_bytes()

    def issue(*scopes: str, client_id: str = CLIENT_ID) -> str:
        """A token for ``client_id`` (every scope it is configured with, unless named)."""
        assertion = make_client_assertion(client_id, key, TOKEN_URL)
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }
        if scopes:
            form["scope"] = " ".join(scopes)
        response = client.post("/oauth2/token", data=form)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    return issue


@pytest.fixture(scope="session")
def auth(token_for: TokenFactory) -> dict[str, str]:
    """Headers with a token holding every scope."""
    return {"Authorization": f"Bearer {token_for()}"}
