"""Rules that relate several keys, and the existence of every file the configuration names.

These run after the section models accepted each key on its own. They are gathered here, not in
``model_validator`` methods, because a model validator can only blame the section as a whole;
here each violation names the key an operator has to change (``server.tls_key``, not ``server``).
Checking that files exist at start-up turns "the first partner call fails at 3 a.m." into "the
service refuses to start, naming ``pki.cert``".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from cryptography import x509

from gateway.audit.subjects import MIN_KEY_BYTES
from gateway.config.locations import format_path
from gateway.config.paths import iter_paths
from gateway.config.settings import Settings
from gateway.errors import Violation
from gateway.wssecurity.profiles import available_profiles

MAX_ASSERTION_LIFETIME = timedelta(minutes=5)
MAX_TOKEN_LIFETIME = timedelta(hours=1)
MAX_CLOCK_SKEW = timedelta(minutes=2)


def _v(path: str, rule: str, message: str, value: str | None = None) -> Violation:
    return Violation(path=path, rule=f"config.{rule}", message=message, value=value)


def _server(s: Settings) -> Iterator[Violation]:
    server = s.server
    if (server.tls_cert is None) != (server.tls_key is None):
        missing = "server.tls_key" if server.tls_key is None else "server.tls_cert"
        yield _v(missing, "tls-pair", "tls_cert and tls_key are set together or not at all")
    if server.client_ca is not None and server.tls_cert is None and not server.client_cert_header:
        yield _v(
            "server.client_ca",
            "mtls-needs-tls",
            "mutual TLS needs brug to terminate TLS itself (set server.tls_cert/tls_key); "
            "behind a proxy, let the proxy check client certificates",
        )
    if server.client_cert_header is not None and not server.trusted_proxies:
        yield _v(
            "server.trusted_proxies",
            "header-needs-proxy",
            "client_cert_header is only believed from a trusted proxy; list its addresses",
        )
    if server.client_cert_header is not None and server.client_ca is None:
        yield _v(
            "server.client_ca",
            "header-needs-ca",
            "a certificate forwarded by the proxy is checked like a direct one: name the CA "
            "client certificates must be issued by (server.client_ca)",
        )
    wide = [n for n in server.trusted_proxies if n.num_addresses > 1]
    if wide and not server.allow_proxy_networks:
        yield _v(
            "server.trusted_proxies",
            "proxy-network",
            f"{wide[0]} is a network: every host in it could assert any client certificate; "
            "list the proxies' own addresses (/32, /128), or set allow_proxy_networks = true",
        )


def _pki(s: Settings) -> Iterator[Violation]:
    pki = s.pki
    pem = pki.key is not None or pki.cert is not None
    if pem and pki.pkcs12 is not None:
        yield _v("pki.pkcs12", "one-identity", "give either key + cert or pkcs12, not both")
    elif not pem and pki.pkcs12 is None:
        yield _v("pki.key", "identity-missing", "give key + cert (PEM) or pkcs12")
    elif pem and (pki.key is None or pki.cert is None):
        missing = "pki.key" if pki.key is None else "pki.cert"
        yield _v(missing, "pem-pair", "key and cert are set together")
    if pki.pkcs12_password is not None and pki.pkcs12 is None:
        yield _v("pki.pkcs12_password", "unused", "set only together with pki.pkcs12")
    if pki.chain and pki.pkcs12 is not None:
        yield _v("pki.chain", "unused", "a PKCS#12 bundle carries its own chain")
    if not pki.trust:
        yield _v("pki.trust", "required", "list at least one CA file to verify partners with")


def _partners(s: Settings) -> Iterator[Violation]:
    known = available_profiles()
    for name, partner in s.partners.items():
        where = format_path(("partners", name))
        profile = partner.wsse_profile
        if profile not in known and not profile.endswith(".toml"):
            yield _v(
                f"{where}.wsse_profile",
                "unknown-profile",
                f"not a shipped profile ({', '.join(known)}) nor a .toml file",
                profile,
            )
        if (partner.tls_cert is None) != (partner.tls_key is None):
            missing = "tls_key" if partner.tls_key is None else "tls_cert"
            yield _v(
                f"{where}.{missing}",
                "tls-pair",
                "tls_cert and tls_key are set together or not at all",
            )
        if (partner.tls_ca or partner.tls_cert) and partner.url.scheme != "https":
            yield _v(
                f"{where}.url",
                "tls-needs-https",
                "tls_ca / tls_cert are for an https partner; this url is http",
                str(partner.url),
            )
        if partner.inbound_operations and partner.party_code(name) is None:
            yield _v(
                f"{where}.party",
                "party-required",
                "a partner that may call brug's SOAP service needs the party code its message "
                "headers name as sender",
            )
        if partner.retry.backoff_base > partner.retry.backoff_max:
            yield _v(
                f"{where}.retry.backoff_base",
                "backoff-order",
                "backoff_base is larger than backoff_max",
            )


def _clients(s: Settings) -> Iterator[Violation]:
    for client_id, client in s.clients.items():
        where = format_path(("clients", client_id))
        jwt_sources = [
            n for n in ("jwks_url", "jwks_file", "public_key") if getattr(client, n) is not None
        ]
        if len(jwt_sources) > 1:
            yield _v(
                f"{where}.{jwt_sources[1]}",
                "one-key-source",
                f"give one of jwks_url, jwks_file, public_key (also set: {jwt_sources[0]})",
            )
        if not client.uses_jwt and not client.uses_mtls:
            yield _v(
                where,
                "no-credential",
                "a client needs jwks_url, jwks_file or public_key (private_key_jwt), "
                "or cert_sha256 / cert_subject (mutual TLS)",
            )
        if client.jwks_url is not None and client.jwks_url.scheme != "https":
            host = client.jwks_url.host or ""
            if host not in ("localhost", "127.0.0.1", "::1", "[::1]"):
                yield _v(
                    f"{where}.jwks_url",
                    "https-required",
                    "keys fetched over plain HTTP could be swapped on the way",
                    str(client.jwks_url),
                )
    seen: dict[str, str] = {}
    for client_id, client in s.clients.items():
        for pin in client.cert_sha256:
            if pin in seen:
                yield _v(
                    format_path(("clients", client_id, "cert_sha256")),
                    "duplicate-certificate",
                    f"the same certificate is already registered for client {seen[pin]}",
                    pin,
                )
            seen.setdefault(pin, client_id)
        if client.cert_subject is not None:
            try:
                x509.Name.from_rfc4514_string(client.cert_subject)
            except ValueError:
                yield _v(
                    format_path(("clients", client_id, "cert_subject")),
                    "bad-subject",
                    "not an RFC 4514 distinguished name (e.g. CN=0316381039,O=WSE,C=BE)",
                    client.cert_subject,
                )
    if any(c.cert_subject for c in s.clients.values()) and not (
        s.server.client_ca or s.server.client_cert_header
    ):
        yield _v(
            "server.client_ca",
            "subject-needs-ca",
            "matching clients by certificate subject is only safe when a CA checked the "
            "certificate: set server.client_ca, or server.client_cert_header behind a proxy",
        )


def _auth(s: Settings) -> Iterator[Violation]:
    auth = s.auth
    if auth.assertion_max_lifetime > MAX_ASSERTION_LIFETIME:
        yield _v(
            "auth.assertion_max_lifetime",
            "too-long",
            "client assertions live at most 5 minutes (a stolen one must expire fast)",
        )
    if auth.token_lifetime > MAX_TOKEN_LIFETIME:
        yield _v("auth.token_lifetime", "too-long", "access tokens live at most 1 hour")
    if auth.clock_skew > MAX_CLOCK_SKEW:
        yield _v("auth.clock_skew", "too-long", "allow at most 2 minutes of clock skew")
    if auth.signing_key_password is not None and auth.signing_key is None:
        yield _v("auth.signing_key_password", "unused", "set only together with auth.signing_key")


def _audit(s: Settings) -> Iterator[Violation]:
    if len(s.audit.insz_hash_key_bytes()) < MIN_KEY_BYTES:
        yield _v(
            "audit.insz_hash_key",
            "too-short",
            f"the INSZ hash key needs at least {MIN_KEY_BYTES} bytes (use a random 32-byte key)",
        )


def consistency_violations(settings: Settings) -> list[Violation]:
    """Every rule that relates several keys, broken or not, as one list."""
    out: list[Violation] = []
    for check in (_server, _pki, _partners, _clients, _auth, _audit):
        out.extend(check(settings))
    return out


def file_violations(settings: Settings) -> list[Violation]:
    """Every configured file that does not exist or cannot be read."""
    out: list[Violation] = []
    for where, path in iter_paths(settings):
        if not Path(path).is_file():
            out.append(_v(format_path(where), "file-missing", "no such file", str(path)))
        elif not os.access(path, os.R_OK):
            out.append(_v(format_path(where), "file-unreadable", "cannot read", str(path)))
    for name, partner in settings.partners.items():
        profile = partner.wsse_profile
        if profile.endswith(".toml") and not Path(profile).is_file():
            location = format_path(("partners", name, "wsse_profile"))
            out.append(_v(location, "file-missing", "no such profile file", profile))
    return out
