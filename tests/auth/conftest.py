"""One development PKI per session, clients registered four different ways, real crypto only.

* ``wse-vov``   private_key_jwt, RSA key given as a certificate PEM (the flanders dev cert)
* ``bee-sync``  private_key_jwt, EC P-256 key from a JWKS file with a kid
* ``fed-mtls``  mutual TLS by SHA-256 fingerprint (the federal dev cert)
* ``bee-mtls``  mutual TLS by subject DN (the brussels dev cert)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import AuthService, make_client_assertion
from gateway.auth.access_tokens import public_jwk
from gateway.config import Settings
from gateway.wssecurity.pki import PkiLayout, init_pki
from gateway.wssecurity.trust import fingerprint

TOKEN_URL = "https://brug.test/oauth2/token"
BEE_KID = "bee-2025"


@dataclass
class Kit:
    pki: PkiLayout
    jwks_file: Path

    def key(self, party: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        loaded = serialization.load_pem_private_key(self.pki[party].key.read_bytes(), None)
        assert isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        return loaded

    def cert(self, party: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.pki[party].cert.read_bytes())

    def settings(self, **overrides: Any) -> Settings:
        pki = self.pki
        data: dict[str, Any] = {
            "server": {
                "client_cert_header": "X-SSL-Client-Cert",
                "trusted_proxies": ["127.0.0.1/32"],
                "client_ca": pki.ca_cert,
            },
            "pki": {
                "key": pki["flanders"].key,
                "cert": pki["flanders"].cert,
                "trust": [pki.ca_cert],
            },
            "clients": {
                "wse-vov": {
                    "public_key": pki["flanders"].cert,
                    "scopes": ["vov:read", "vov:write"],
                },
                "bee-sync": {"jwks_file": self.jwks_file, "scopes": ["bev:read"]},
                "fed-mtls": {
                    "cert_sha256": [fingerprint(self.cert("federal")).hex()],
                    "scopes": ["vok:read"],
                },
                "bee-mtls": {
                    "cert_subject": self.cert("brussels").subject.rfc4514_string(),
                    "scopes": ["bev:read", "bev:write"],
                },
            },
            "auth": {"token_url": TOKEN_URL, "audience": "brug-api"},
            "audit": {"insz_hash_key": "0123456789abcdef0123456789abcdef"},
        }
        for section, values in overrides.items():
            data[section] = {**data.get(section, {}), **values}
        return Settings(**data)

    def service(self, **overrides: Any) -> AuthService:
        return AuthService.from_settings(self.settings(**overrides))

    def assertion(self, client_id: str = "wse-vov", party: str = "flanders", **kw: Any) -> str:
        return make_client_assertion(
            client_id, self.key(party), kw.pop("token_url", TOKEN_URL), **kw
        )


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    root = tmp_path_factory.mktemp("auth-pki")
    pki = init_pki(root)
    ec_key = serialization.load_pem_private_key(pki["ecdsa"].key.read_bytes(), None)
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    jwk = {**public_jwk(ec_key.public_key()), "kid": BEE_KID, "use": "sig", "alg": "ES256"}
    # An encryption key in the same set must be ignored, not break the set.
    enc = {**public_jwk(ec_key.public_key()), "kid": "enc", "use": "enc"}
    jwks_file = root / "bee-jwks.json"
    jwks_file.write_text(json.dumps({"keys": [enc, jwk]}), encoding="utf-8")
    return Kit(pki, jwks_file)


@pytest.fixture
def service(kit: Kit) -> AuthService:
    return kit.service()
