"""Who is using the console: operators sign in with their certificate, then carry a session.

Operators are people, not REST clients, and have their own credentials (``[console.operators]``):
a TLS client certificate issued by ``server.client_ca``, matched by SHA-256 fingerprint or
subject DN like a REST client's (:mod:`gateway.auth.mtls` reads it from the TLS connection or a
trusted proxy). Signing in turns it into a short session cookie so that every page is not a
certificate look-up, and so that a browser can hold a CSRF token:

* the cookie is signed and timed with ``itsdangerous`` (key ``console.session_key``, else a
  random one per process) and sent ``HttpOnly; Secure; SameSite=Strict; Path=/console``;
* it names the operator, the certificate's fingerprint and a random CSRF token; the operator's
  role is read from the configuration on every request, so removing an operator or lowering
  their role takes effect at once, not when the session ends;
* when a request carries a client certificate, it must be the one the session was opened with.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.auth.mtls import holders_of
from gateway.config.sections import ConsoleConfig, OperatorConfig, OperatorRole
from gateway.wssecurity.trust import fingerprint

COOKIE = "brug_console"
COOKIE_PATH = "/console"
_SALT = "brug-console-session-v1"


@dataclass(frozen=True, slots=True)
class Operator:
    id: str
    name: str
    role: OperatorRole

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True, slots=True)
class Session:
    operator: Operator
    csrf: str
    fingerprint: str

    def csrf_ok(self, submitted: str | None) -> bool:
        return submitted is not None and hmac.compare_digest(submitted, self.csrf)


def operator_for_certificate(
    cert: x509.Certificate, config: ConsoleConfig, *, now: datetime | None = None
) -> str | None:
    """The operator id ``cert`` belongs to (fingerprint first, then subject), or None.

    A certificate outside its validity period or matching several operators signs nobody in.
    """
    moment = now or datetime.now(UTC)
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        return None
    matches = holders_of(cert, config.operators)
    return matches[0] if len(matches) == 1 else None


class Sessions:
    """Issue and read the signed session cookie of ``[console]``."""

    def __init__(self, config: ConsoleConfig) -> None:
        self._config = config
        key = (
            config.session_key.get_secret_value().encode()
            if config.session_key is not None
            else secrets.token_bytes(32)
        )
        self._serializer = URLSafeTimedSerializer(key, salt=_SALT)

    @property
    def lifetime_seconds(self) -> int:
        return int(self._config.session_lifetime.total_seconds())

    def operator(self, operator_id: str) -> Operator | None:
        found: OperatorConfig | None = self._config.operators.get(operator_id)
        if found is None:
            return None
        return Operator(operator_id, found.name, found.role)

    def issue(self, operator_id: str, cert: x509.Certificate) -> str:
        """A new session (fresh CSRF token) for ``operator_id`` signed in with ``cert``."""
        body = {"op": operator_id, "csrf": secrets.token_urlsafe(32), "fp": fingerprint(cert).hex()}
        return self._serializer.dumps(body)

    def read(self, cookie: str | None, cert: x509.Certificate | None) -> Session | None:
        """The session a cookie holds, or None (absent, forged, expired, operator gone, or a
        request whose client certificate is not the one the session began with)."""
        if not cookie:
            return None
        try:
            body: Any = self._serializer.loads(cookie, max_age=self.lifetime_seconds)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) for k in ("op", "csrf", "fp")
        ):
            return None
        operator = self.operator(body["op"])
        if operator is None:
            return None
        if cert is not None and fingerprint(cert).hex() != body["fp"]:
            return None
        return Session(operator, body["csrf"], body["fp"])

    def cookie_header(self, value: str) -> str:
        return (
            f"{COOKIE}={value}; Max-Age={self.lifetime_seconds}; Path={COOKIE_PATH}; "
            "HttpOnly; Secure; SameSite=Strict"
        )

    @staticmethod
    def clearing_header() -> str:
        return f"{COOKIE}=; Max-Age=0; Path={COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict"
