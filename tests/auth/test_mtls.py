"""Mutual TLS: a client certificate -> a Principal, by fingerprint or subject; proxy headers."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.auth import OAuthError, OAuthErrorCode, principal_from_client_cert
from gateway.auth.mtls import certificate_from_proxy_header, certificate_pem, peer_certificate
from gateway.config import ServerConfig
from gateway.wssecurity.trust import fingerprint
from tests.auth.conftest import Kit
from tests.support.certificates import self_signed_like


def test_by_fingerprint_from_pem_and_der(kit: Kit) -> None:
    settings = kit.settings()
    cert = kit.cert("federal")
    for form in (certificate_pem(cert), cert.public_bytes(Encoding.DER)):
        principal = principal_from_client_cert(form, settings)
        assert (principal.client_id, principal.method) == ("fed-mtls", "mtls")
        assert principal.scopes == {"vok:read"}


def test_by_subject(kit: Kit) -> None:
    principal = principal_from_client_cert(certificate_pem(kit.cert("brussels")), kit.settings())
    assert principal.client_id == "bee-mtls"
    assert principal.scopes == {"bev:read", "bev:write"}


def test_fingerprint_wins_over_subject(kit: Kit) -> None:
    settings = kit.settings()
    clients = dict(settings.clients)
    # A second client claims the federal certificate's subject: the pinned one still wins.
    subject = kit.cert("federal").subject.rfc4514_string()
    clients["squatter"] = clients["bee-mtls"].model_copy(update={"cert_subject": subject})
    principal = principal_from_client_cert(certificate_pem(kit.cert("federal")), clients)
    assert principal.client_id == "fed-mtls"


def test_unregistered_and_expired_certificates(kit: Kit) -> None:
    settings = kit.settings()
    with pytest.raises(OAuthError) as exc:
        principal_from_client_cert(certificate_pem(kit.cert("untrusted")), settings)
    assert (exc.value.error, exc.value.status_code) == (OAuthErrorCode.INVALID_CLIENT, 401)
    assert "sha256" in exc.value.reason
    # Registered by fingerprint, but used after it expired.
    expired = kit.cert("expired")
    clients = dict(settings.clients)
    clients["old"] = clients["fed-mtls"].model_copy(
        update={"cert_sha256": (fingerprint(expired).hex(),)}
    )
    with pytest.raises(OAuthError) as exc:
        principal_from_client_cert(certificate_pem(expired), clients)
    assert "validity" in exc.value.description
    later = datetime.now(UTC) + timedelta(days=5000)
    with pytest.raises(OAuthError):
        principal_from_client_cert(certificate_pem(kit.cert("federal")), settings, now=later)


@pytest.mark.parametrize("style", ["nginx-escaped", "apache-folded", "haproxy-der", "raw-pem"])
def test_proxy_header_formats(kit: Kit, style: str) -> None:
    cert = kit.cert("federal")
    pem = certificate_pem(cert)
    value = {
        "nginx-escaped": urllib.parse.quote(pem, safe=""),
        "apache-folded": pem.replace("\n", " "),
        "haproxy-der": base64.b64encode(cert.public_bytes(Encoding.DER)).decode(),
        "raw-pem": pem.replace("\n", "\t"),
    }[style]
    assert certificate_from_proxy_header(value) == cert


def test_peer_certificate_sources(kit: Kit) -> None:
    cert = kit.cert("federal")
    server = ServerConfig.model_validate(
        {
            "client_cert_header": "X-SSL-Client-Cert",
            "trusted_proxies": ["10.0.0.0/8"],
            "allow_proxy_networks": True,
            "client_ca": kit.pki.ca_cert,
        }
    )
    header = [(b"x-ssl-client-cert", urllib.parse.quote(certificate_pem(cert)).encode())]
    assert peer_certificate({"client": ("10.1.2.3", 1), "headers": header}, server) == cert
    assert peer_certificate({"client": ("192.0.2.1", 1), "headers": header}, server) is None
    with pytest.raises(ValueError, match="more than once"):
        peer_certificate({"client": ("10.1.2.3", 1), "headers": header * 2}, server)
    # An ASGI server implementing the TLS extension hands the chain over directly.
    tls_scope = {"extensions": {"tls": {"client_cert_chain": [certificate_pem(cert)]}}}
    assert peer_certificate(tls_scope, ServerConfig()) == cert
    assert peer_certificate({"client": ("10.1.2.3", 1), "headers": header}, ServerConfig()) is None


def test_a_forwarded_certificate_must_be_issued_by_the_client_ca(kit: Kit) -> None:
    """Issue 12: a self-signed certificate with a registered client's subject, forwarded from
    a trusted proxy address, authenticated as that client. It is refused now."""
    server = kit.settings().server
    real = kit.cert("brussels")  # registered by subject as bee-mtls
    forged = self_signed_like(real)
    scope = {"client": ("127.0.0.1", 1), "headers": []}

    def forwarded(cert: x509.Certificate) -> dict[str, object]:
        value = urllib.parse.quote(certificate_pem(cert)).encode()
        return {**scope, "headers": [(b"x-ssl-client-cert", value)]}

    assert peer_certificate(forwarded(real), server) == real
    with pytest.raises(ValueError, match=r"not issued by server\.client_ca"):
        peer_certificate(forwarded(forged), server)
    without_ca = server.model_copy(update={"client_ca": None})
    with pytest.raises(ValueError, match="not issued"):
        peer_certificate(forwarded(real), without_ca)


def test_proxy_networks_and_a_header_without_a_ca_are_configuration_errors(kit: Kit) -> None:
    from gateway.config.checks import consistency_violations

    def rules(**server: object) -> set[str]:
        return {v.rule for v in consistency_violations(kit.settings(server=server))}

    assert not {"config.proxy-network", "config.header-needs-ca"} & rules()
    assert "config.proxy-network" in rules(trusted_proxies=["0.0.0.0/0"])
    assert "config.proxy-network" in rules(trusted_proxies=["127.0.0.0/8"])
    allowed = rules(trusted_proxies=["10.0.0.0/8"], allow_proxy_networks=True)
    assert "config.proxy-network" not in allowed
    assert "config.header-needs-ca" in rules(client_ca=None)
