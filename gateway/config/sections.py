"""One pydantic model per TOML section of ``brug.toml``.

The models check the *shape* of each key (type, range, pattern); rules that relate several keys
(a TLS key needs its certificate, a client needs at least one credential) and the existence of
the files named live in :mod:`gateway.config.checks`, so that every broken rule can be reported
with the exact TOML path of the key to fix rather than the name of the section it sits in.

Secrets (key passwords, the INSZ hash key) are :class:`~pydantic.SecretStr`: they never show in a
``repr``, a log line or an error message, and operators are told to pass them through the
environment (``BRUG_AUDIT__INSZ_HASH_KEY``) instead of writing them into the file.
"""

from __future__ import annotations

import ssl
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    field_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from gateway.config.types import ClientId, Duration, Scope, Sha256Fingerprint
from gateway.delivery.policy import PartnerPolicy
from gateway.models.header import GATEWAY_PARTY_CODE, KNOWN_PARTNER_PARTIES, PARTY_PATTERN

_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)

SECTION_CONFIG = ConfigDict(extra="forbid", frozen=True, validate_by_name=True)

SUPPORTED_DATABASES = ("sqlite", "postgresql")


class ServerConfig(BaseModel):
    """``[server]``: where the REST/SOAP service listens and how it learns who is calling."""

    model_config = SECTION_CONFIG

    host: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    client_ca: Path | None = None
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0, le=512 * 1024 * 1024)
    client_cert_header: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9-]+$", description="e.g. X-SSL-Client-Cert"
    )
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    public_url: AnyHttpUrl | None = Field(
        default=None,
        description="the gateway's address as partners reach it (WSDL soap:address); default "
        "http(s)://host:port from this section, never the request's Host header",
    )
    allow_proxy_networks: bool = Field(
        default=False,
        description="let trusted_proxies name networks, not only single hosts (every host in "
        "them may then assert a client certificate)",
    )
    party: str = Field(
        default=GATEWAY_PARTY_CODE,
        pattern=PARTY_PATTERN,
        description="brug's own party code: what a partner's message header must name as its "
        "recipient",
    )


def public_base_url(server: ServerConfig) -> str:
    """Where partners reach this gateway: ``public_url``, else built from host, port and TLS."""
    if server.public_url is not None:
        return str(server.public_url).rstrip("/")
    scheme = "https" if server.tls_cert is not None else "http"
    host = f"[{server.host}]" if ":" in server.host else server.host
    return f"{scheme}://{host}:{server.port}"


class StoreConfig(BaseModel):
    """``[store]``: the database holding outbox, inbox, replay cache and audit log."""

    model_config = SECTION_CONFIG

    # repr=False: a PostgreSQL URL may carry a password; use ``safe_url`` in logs.
    url: str = Field(default="sqlite:///var/brug.db", repr=False)

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            parsed = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL (e.g. sqlite:///var/brug.db)") from None
        if parsed.get_backend_name() not in SUPPORTED_DATABASES:
            raise ValueError(f"the store runs on {' or '.join(SUPPORTED_DATABASES)} only")
        return value

    @property
    def safe_url(self) -> str:
        """The URL with its password replaced by ``***``, for logs and ``brug config show``."""
        return make_url(self.url).render_as_string(hide_password=True)


class PkiConfig(BaseModel):
    """``[pki]``: the gateway's own signing identity and the CAs it trusts for partners.

    Either ``key`` + ``cert`` (PEM, optional ``chain``) or ``pkcs12``; never both.
    """

    model_config = SECTION_CONFIG

    key: Path | None = None
    cert: Path | None = None
    chain: tuple[Path, ...] = ()
    key_password: SecretStr | None = None
    pkcs12: Path | None = None
    pkcs12_password: SecretStr | None = None
    trust: tuple[Path, ...] = Field(default=(), description="PEM files of trusted CAs")


class RetryConfig(BaseModel):
    """``[partners.<name>.retry]``: how long the outbox keeps trying one message.

    A transient failure (no answer, 408/425/429/5xx, a Server fault, an expired Timestamp) is
    retried until ``max_age``; ``max_attempts`` bounds only failures of unknown kind (an answer
    that does not verify or validate), see ``gateway/soap/outcome.py``.
    """

    model_config = SECTION_CONFIG

    max_attempts: int = Field(
        default=12, ge=1, le=1000, description="attempts for failures of unknown kind only"
    )
    max_age: Duration = timedelta(days=2)
    backoff_base: Duration = timedelta(seconds=2)
    backoff_max: Duration = timedelta(minutes=30)


class CircuitBreakerConfig(BaseModel):
    """``[partners.<name>.circuit_breaker]``: when to stop calling a partner that keeps failing."""

    model_config = SECTION_CONFIG

    threshold: int = Field(default=5, ge=1, le=1000)
    cool_down: Duration = Field(
        default=timedelta(seconds=30), description="longest wait between two trial messages"
    )
    first_cool_down: Duration = Field(
        default=timedelta(seconds=1),
        description="first wait after the circuit opens; doubles per failed trial",
    )


class PartnerConfig(BaseModel):
    """``[partners.<name>]``: one SOAP partner (``brussels``, ``federal``)."""

    model_config = SECTION_CONFIG

    url: AnyHttpUrl
    soap_version: Literal["1.1", "1.2"] = "1.1"
    wsse_profile: str = Field(default="strict", min_length=1)
    pinned_cert: Path | None = None
    pinned_sha256: tuple[Sha256Fingerprint, ...] = ()
    operations: tuple[str, ...] = Field(min_length=1)
    inbound_operations: tuple[str, ...] = Field(
        default=(),
        description="operations of brug's own SOAP service this partner may call",
    )
    purposes: tuple[str, ...] = Field(
        default=(),
        description="purpose codes (message header) accepted from this partner; empty: none",
    )
    party: str | None = Field(
        default=None,
        pattern=PARTY_PATTERN,
        description="the party code this partner names as its message header's sender; "
        "default: the known code of a partner called brussels or federal",
    )
    tls_ca: Path | None = Field(
        default=None,
        description="PEM CA(s) the partner's HTTPS server certificate must chain to; default: "
        "the system's trust store",
    )
    tls_cert: Path | None = Field(
        default=None, description="brug's TLS client certificate (PEM) for this partner's mTLS"
    )
    tls_key: Path | None = Field(default=None, description="the key (PEM) of tls_cert")
    header_max_age: Duration = Field(
        default=timedelta(days=2),
        description="oldest message header timestamp accepted from this partner (the business "
        "message's age; the WS-Security Timestamp bounds the transmission itself)",
    )
    timeout: Duration = timedelta(seconds=30)
    retry: RetryConfig = RetryConfig()
    circuit_breaker: CircuitBreakerConfig = CircuitBreakerConfig()

    @field_validator("operations")
    @classmethod
    def _no_blank_operation(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not op.strip() for op in value):
            raise ValueError("an operation name cannot be blank")
        return value

    def tls_context(self) -> ssl.SSLContext | bool:
        """How brug's HTTP client checks this partner (and proves itself): ``True`` for the
        system's trust store and no client certificate, else an SSL context with ``tls_ca`` and
        ``tls_cert``/``tls_key``. Raises OSError / ssl.SSLError for unreadable files."""
        if self.tls_ca is None and self.tls_cert is None:
            return True
        context = ssl.create_default_context(
            cafile=str(self.tls_ca) if self.tls_ca is not None else None
        )
        if self.tls_cert is not None:
            key = str(self.tls_key) if self.tls_key is not None else None
            context.load_cert_chain(str(self.tls_cert), key)
        return context

    def party_code(self, name: str) -> str | None:
        """The sender code expected from this partner: ``party``, else the known one by name."""
        return self.party or KNOWN_PARTNER_PARTIES.get(name)

    def delivery_policy(self) -> PartnerPolicy:
        """The outbox's view of this partner: retry limits and circuit breaker in one object."""
        return PartnerPolicy(
            max_attempts=self.retry.max_attempts,
            max_age=self.retry.max_age,
            backoff_initial=self.retry.backoff_base,
            backoff_max=self.retry.backoff_max,
            breaker_failures=self.circuit_breaker.threshold,
            breaker_reset=self.circuit_breaker.cool_down,
            breaker_reset_initial=min(
                self.circuit_breaker.first_cool_down, self.circuit_breaker.cool_down
            ),
        )


class ClientConfig(BaseModel):
    """``[clients.<id>]``: one Flemish backend calling brug's REST API.

    It authenticates with a signed JWT (``private_key_jwt``; key from ``jwks_url``, ``jwks_file``
    or ``public_key``) or with a TLS client certificate (``cert_sha256`` or ``cert_subject``).
    """

    model_config = SECTION_CONFIG

    description: str = ""
    jwks_url: AnyHttpUrl | None = None
    jwks_file: Path | None = None
    public_key: Path | None = Field(default=None, description="PEM public key or certificate")
    cert_sha256: tuple[Sha256Fingerprint, ...] = ()
    cert_subject: str | None = Field(default=None, min_length=3, description="RFC 4514 DN")
    scopes: tuple[Scope, ...] = Field(min_length=1)

    @property
    def uses_jwt(self) -> bool:
        return any(x is not None for x in (self.jwks_url, self.jwks_file, self.public_key))

    @property
    def uses_mtls(self) -> bool:
        return bool(self.cert_sha256) or self.cert_subject is not None


SigningAlgorithm = Literal["RS256", "PS256", "ES256"]


class AuthConfig(BaseModel):
    """``[auth]``: brug's own OAuth2 token endpoint and the access tokens it issues."""

    model_config = SECTION_CONFIG

    # Kept as written (not normalised by a URL type): clients must put this exact string in
    # ``aud``, so what the operator reads in the file is what is compared.
    token_url: str = "https://localhost:8443/oauth2/token"  # noqa: S105 (a URL, not a secret)
    audience: str = Field(default="brug", min_length=1)
    token_lifetime: Duration = timedelta(minutes=5)
    assertion_max_lifetime: Duration = timedelta(minutes=5)
    clock_skew: Duration = timedelta(seconds=30)
    signing_key: Path | None = None
    signing_key_password: SecretStr | None = None
    signing_algorithm: SigningAlgorithm | None = None
    jwks_cache: Duration = timedelta(minutes=5)

    @field_validator("token_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        _HTTP_URL.validate_python(value)
        if "#" in value or "?" in value:
            raise ValueError("the token URL has neither a query nor a fragment")
        return value


class DeliveryConfig(BaseModel):
    """``[delivery]``: the in-process delivery worker (``brug serve``).

    ``lease`` is how long a claimed message belongs to one worker: after a crash, another worker
    (or the restarted one) sends it again only when its lease has passed, so a shorter lease
    recovers faster and a longer one tolerates slower partners (a send must end before the lease
    does, or it may be sent twice; brug stops starting sends 1 s before the lease ends).
    """

    model_config = SECTION_CONFIG

    lease: Duration = timedelta(seconds=60)
    batch_size: int = Field(default=50, ge=1, le=10_000)
    idle_poll: Duration = timedelta(milliseconds=200)

    @field_validator("lease")
    @classmethod
    def _lease_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=5) <= value <= timedelta(hours=1):
            raise ValueError("must be between 5 seconds and 1 hour")
        return value

    @field_validator("idle_poll")
    @classmethod
    def _poll_bounds(cls, value: timedelta) -> timedelta:
        if not timedelta(milliseconds=10) <= value <= timedelta(seconds=60):
            raise ValueError("must be between 10 ms and 60 seconds")
        return value


class MetricsConfig(BaseModel):
    """``[metrics]``: where the Prometheus exposition is served, apart from the API.

    Metric labels name clients and partners and the counters show the traffic per partner:
    information for the monitoring system, not for whoever can reach the public port. So
    ``/metrics`` has its own plain-HTTP listener, on loopback by default (a scraper on another
    host needs ``listen = "10.0.0.7:9464"`` on an internal interface); ``listen = ""`` serves no
    metrics at all. With ``brug serve --workers N`` the supervisor serves the sum of every
    worker's counters (prometheus_client's multiprocess mode).
    """

    model_config = SECTION_CONFIG

    listen: str = Field(
        default="127.0.0.1:9464",
        description='host:port of the metrics listener ("[::1]:9464" for IPv6); "" for none',
    )

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if value == "":
            return value
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError('must be "host:port" (e.g. "127.0.0.1:9464") or "" for none')
        return value

    def address(self) -> tuple[str, int] | None:
        """``(host, port)`` to bind, or None when metrics are not served."""
        if not self.listen:
            return None
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class LoggingConfig(BaseModel):
    """``[logging]``: level and format (JSON lines for a log shipper, or text for a terminal)."""

    model_config = SECTION_CONFIG

    level: LogLevel = "INFO"
    # "json" would shadow BaseModel.json(); the TOML key stays ``json``.
    as_json: bool = Field(default=True, alias="json")
    # Format and write on a writer thread, so request threads never wait for the log stream
    # (see gateway.observability.logs.EnqueueHandler); false writes in the calling thread.
    background: bool = True

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class AuditConfig(BaseModel):
    """``[audit]``: the key for the keyed hash of INSZ numbers in the audit log."""

    model_config = SECTION_CONFIG

    insz_hash_key: SecretStr

    def insz_hash_key_bytes(self) -> bytes:
        return self.insz_hash_key.get_secret_value().encode("utf-8")


class RulesConfig(BaseModel):
    """``[rules]``: where rule data, the BEE crosswalk and the federal code table come from.

    brug ships *sample* data for the crosswalk and the code table (invented rows and codes;
    the real ones are not public). ``brug serve`` refuses to start with any sample data unless
    ``allow_sample_data`` is set, which the demo and test configurations do and a deployment
    must not: it loads the real files with ``crosswalk`` and ``codes`` instead.
    """

    model_config = SECTION_CONFIG

    allow_sample_data: bool = Field(
        default=False, description="serve with sample data (demos and tests only)"
    )
    dirs: tuple[Path, ...] = Field(
        default=(), description="extra rule-data directories layered over the shipped data"
    )
    crosswalk: tuple[Path, ...] = Field(
        default=(), description="BEE crosswalk CSV files; when given they replace the sample"
    )
    codes: Path | None = Field(
        default=None, description="federal code table (TOML) replacing the sample"
    )


__all__ = [
    "AuditConfig",
    "AuthConfig",
    "CircuitBreakerConfig",
    "ClientConfig",
    "ClientId",
    "LoggingConfig",
    "PartnerConfig",
    "PkiConfig",
    "RetryConfig",
    "RulesConfig",
    "ServerConfig",
    "SigningAlgorithm",
    "StoreConfig",
]
