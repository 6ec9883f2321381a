"""A client certificate forwarded by a TLS-terminating proxy, against a real ``brug serve``.

Issue 12: with ``client_cert_header`` and ``trusted_proxies = ["127.0.0.1/32"]``, a direct local
connection sending a self-signed certificate with a registered client's subject was
authenticated, and a proxy adding ``X-Forwarded-For`` silently turned mTLS off (uvicorn replaced
the TCP peer by the forwarded address).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from adapters.simulation.process import free_port
from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import GatewayProcess, gateways, write_config
from tests.simulators.support import pki  # noqa: F401 - pytest fixture
from tests.support.certificates import self_signed_like

pytestmark = pytest.mark.slow

HEADER = "X-SSL-Client-Cert"


def _forwarded(cert: x509.Certificate) -> str:
    return urllib.parse.quote(cert.public_bytes(Encoding.PEM).decode(), safe="")


@pytest.mark.timeout(120)
def test_forwarded_certificates_are_checked_and_survive_x_forwarded_for(
    tmp_path: Path,
    pki: PkiLayout,  # noqa: F811
) -> None:
    port = free_port()
    config = write_config(tmp_path, pki, port, "http://127.0.0.1:9/unused")
    brussels = x509.load_pem_x509_certificate(pki["brussels"].cert.read_bytes())
    text = config.read_text(encoding="utf-8").replace(
        "[server]\n",
        f'[server]\nclient_cert_header = "{HEADER}"\ntrusted_proxies = ["127.0.0.1/32"]\n'
        f'client_ca = "{pki.ca_cert}"\n',
        1,
    )
    text += (
        f'\n[clients.bee-operator]\ncert_subject = "{brussels.subject.rfc4514_string()}"\n'
        'scopes = ["outbox:admin"]\n'
    )
    config.write_text(text, encoding="utf-8")
    gateway = GatewayProcess(config, port, tmp_path / "gateway.log")
    with gateways(gateway):
        gateway.start()
        url = f"{gateway.url}/v1/outbox"

        def get(cert: x509.Certificate, **headers: str) -> httpx.Response:
            return httpx.get(url, headers={HEADER: _forwarded(cert), **headers}, timeout=10)

        assert get(brussels).status_code == 200  # issued by the client CA: the client
        # The proxy also says who the client was: mTLS stays on.
        assert get(brussels, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 200
        forged = get(self_signed_like(brussels))  # the same subject, self-signed
        assert forged.status_code == 401, forged.text
        assert "Bearer" in forged.headers.get("www-authenticate", "") or forged.text
