"""Mutual TLS as an alternative to bearer tokens: the client is its TLS certificate.

How brug learns the peer certificate (uvicorn does not put it in the ASGI scope; its
implementation of the ASGI TLS extension has been an open pull request for years):

1. **Behind a TLS-terminating proxy (the supported production set-up).** The proxy verifies the
   client certificate against the client CA and forwards it in a header, e.g. nginx
   ``proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;``. brug believes that header
   only when the TCP peer is one of ``server.trusted_proxies`` (and the proxy must overwrite the
   header, never pass a client's own through). URL-encoded PEM (nginx), PEM with folded lines
   (Apache ``%{SSL_CLIENT_CERT}s``) and base64 DER (HAProxy ``%[ssl_c_der,base64]``) are read.
2. **An ASGI server implementing the TLS extension** puts ``client_cert_chain`` in
   ``scope["extensions"]["tls"]``; brug uses it when present. ``brug serve`` terminating TLS
   itself (``tls_cert`` + ``client_ca``) is one: its HTTP protocol
   (:mod:`gateway.service.http_protocol`) reads the certificate uvicorn's handshake verified
   against ``client_ca`` and fills in the extension.

With plain uvicorn (``--ssl-ca-certs``, ``--ssl-cert-reqs 2``, its own protocol) only a
network-level gate is possible: the handshake proves a certificate from the client CA, but the
application never sees which one, so such clients authenticate with ``private_key_jwt`` on top.

Matching is by SHA-256 fingerprint of the DER certificate (exact; rotate by listing both) or by
subject DN (only safe because a CA checked the certificate; the configuration check insists).

A certificate forwarded by a proxy is checked here like a direct one, not taken on the proxy's
word: it must be issued by a CA in ``server.client_ca`` (and, in
:func:`principal_from_client_cert`, be within its validity and registered). Otherwise anything
that reaches brug from a trusted proxy address (a local process, a misrouted request) could
send a self-signed certificate carrying a registered client's subject.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import urllib.parse
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.auth.errors import OAuthError, OAuthErrorCode
from gateway.auth.principal import Principal
from gateway.config.sections import ClientConfig, ServerConfig
from gateway.config.settings import Settings
from gateway.wssecurity.trust import fingerprint

PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
PEM_END = "-----END CERTIFICATE-----"


def load_client_certificate(der_or_pem: bytes | str | x509.Certificate) -> x509.Certificate:
    """A certificate from DER bytes, PEM text/bytes, or one already parsed."""
    if isinstance(der_or_pem, x509.Certificate):
        return der_or_pem
    data = der_or_pem.encode("ascii") if isinstance(der_or_pem, str) else der_or_pem
    if PEM_BEGIN.encode() in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def certificate_from_proxy_header(value: str) -> x509.Certificate:
    """Parse what a proxy put in the client-certificate header; ValueError if it is not one."""
    text = value.strip()
    if "%" in text:
        text = urllib.parse.unquote(text)
    if PEM_BEGIN in text:
        text = text.split(PEM_BEGIN, 1)[1].split(PEM_END, 1)[0]
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the client-certificate header does not hold a certificate") from exc


def _clients(config: Settings | Mapping[str, ClientConfig]) -> Mapping[str, ClientConfig]:
    return config.clients if isinstance(config, Settings) else config


def _subject_matches(cert: x509.Certificate, expected: str) -> bool:
    try:
        return x509.Name.from_rfc4514_string(expected) == cert.subject
    except ValueError:
        return False


class CertificateHolder(Protocol):
    """A configured identity a TLS client certificate can name (a client, an operator)."""

    @property
    def cert_sha256(self) -> tuple[str, ...]: ...
    @property
    def cert_subject(self) -> str | None: ...


def holders_of(cert: x509.Certificate, holders: Mapping[str, CertificateHolder]) -> list[str]:
    """The ids whose pinned SHA-256 is ``cert``'s, else those whose subject is its subject.

    A fingerprint match wins over a subject match, so an identity pinned by fingerprint cannot
    be shadowed by another one that configured the same subject. One id is a match; none or
    several are not (the callers refuse both).
    """
    digest = fingerprint(cert).hex()
    by_fingerprint = [hid for hid, h in holders.items() if digest in h.cert_sha256]
    if by_fingerprint:
        return by_fingerprint
    return [
        hid
        for hid, h in holders.items()
        if h.cert_subject is not None and _subject_matches(cert, h.cert_subject)
    ]


def principal_from_client_cert(
    der_or_pem: bytes | str | x509.Certificate,
    config: Settings | Mapping[str, ClientConfig],
    *,
    now: datetime | None = None,
) -> Principal:
    """The client a (CA-verified) TLS client certificate belongs to (:func:`holders_of`);
    ``invalid_client`` if none or several."""
    try:
        cert = load_client_certificate(der_or_pem)
    except ValueError:
        raise OAuthError(OAuthErrorCode.INVALID_CLIENT, "client certificate unreadable") from None
    moment = now or datetime.now(UTC)
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise OAuthError(
            OAuthErrorCode.INVALID_CLIENT,
            "client certificate outside its validity period",
            reason="certificate expired or not yet valid",
        )
    clients = _clients(config)
    matches = holders_of(cert, clients)
    if len(matches) != 1:
        reason = "no client" if not matches else f"several clients: {', '.join(matches)}"
        raise OAuthError(
            OAuthErrorCode.INVALID_CLIENT,
            "client certificate not registered",
            reason=f"{reason} for certificate sha256 {fingerprint(cert).hex()}",
        )
    client_id = matches[0]
    return Principal(client_id, frozenset(clients[client_id].scopes), method="mtls")


def _from_trusted_proxy(
    peer: str, proxies: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def peer_certificate(scope: Mapping[str, Any], server: ServerConfig) -> x509.Certificate | None:
    """The client certificate of an ASGI request, from the TLS extension or a trusted proxy.

    None when there is none, or when the header came from a peer that is not a trusted proxy
    (anyone can send a header). Raises ValueError for a header that is present but unreadable
    or repeated, so that a misconfigured proxy is noticed instead of silently ignored.
    """
    tls = scope.get("extensions", {}).get("tls")
    if isinstance(tls, Mapping):
        chain = tls.get("client_cert_chain")
        if chain:
            return load_client_certificate(chain[0])
    if server.client_cert_header is None:
        return None
    peer = scope.get("client")
    if not peer or not _from_trusted_proxy(str(peer[0]), server.trusted_proxies):
        return None
    name = server.client_cert_header.lower().encode("latin-1")
    values = [v for k, v in scope.get("headers", []) if k.lower() == name]
    if not values:
        return None
    if len(values) > 1:
        raise ValueError(f"{server.client_cert_header} sent more than once")
    cert = certificate_from_proxy_header(values[0].decode("latin-1"))
    if server.client_ca is None or not issued_by_client_ca(cert, server.client_ca):
        raise ValueError("the forwarded client certificate is not issued by server.client_ca")
    return cert


@functools.lru_cache(maxsize=8)
def _client_cas(path: Path, _mtime: float) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(path.read_bytes()))


def issued_by_client_ca(cert: x509.Certificate, ca_file: Path) -> bool:
    """Whether ``cert`` is signed by one of the CA certificates in ``ca_file`` (PEM bundle)."""
    try:
        cas = _client_cas(ca_file, ca_file.stat().st_mtime)
    except (OSError, ValueError):
        return False
    for ca in cas:
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def certificate_pem(cert: x509.Certificate) -> str:
    """PEM text of ``cert`` (for tests and for writing a proxy header by hand)."""
    return cert.public_bytes(Encoding.PEM).decode("ascii")
