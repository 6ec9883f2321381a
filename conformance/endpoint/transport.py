"""HTTP with the partner's endpoint, recorded: every exchange ends up in the reports.

Transport errors are recorded, not raised: an endpoint that drops the connection on an XXE
message has answered that case (badly), it has not stopped the suite. Only the preflight in the
runner treats "no connection at all" as a bad target (exit 2).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gateway.soap.envelope import SoapVersion, request_headers

MAX_KEPT = 64 * 1024  # response bytes kept for the reports; more is cut


class TlsSetupError(ValueError):
    """A ``--ca``, ``--tls-cert`` or ``--tls-key`` file cannot be used (named in the message)."""


def tls_context(
    ca: Sequence[Path] = (),
    client_cert: Path | None = None,
    client_key: Path | None = None,
    *,
    verify: bool = True,
) -> ssl.SSLContext:
    """The TLS settings of the suite's HTTP client.

    ``ca``: private CAs trusted besides the system's; ``client_cert``/``client_key``: the TLS
    client certificate presented to an endpoint that asks for one (mutual TLS); ``verify=False``
    accepts any server certificate and host name (``--insecure``).
    """
    context = ssl.create_default_context()
    for path in ca:
        try:
            context.load_verify_locations(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            raise TlsSetupError(f"cannot use {path} as a CA certificate: {_why(exc)}") from None
    if client_cert is not None:
        try:
            context.load_cert_chain(str(client_cert), str(client_key) if client_key else None)
        except (OSError, ssl.SSLError) as exc:
            raise TlsSetupError(
                f"cannot use {client_cert} and {client_key} as a TLS client certificate and "
                f"key: {_why(exc)}"
            ) from None
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _why(exc: OSError | ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc).replace("_", " ").lower()
    return exc.strerror or str(exc)


@dataclass(slots=True)
class Exchange:
    label: str
    method: str
    url: str
    request: bytes = field(repr=False)
    status: int | None = None
    response: bytes = field(default=b"", repr=False)
    content_type: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def answered(self) -> bool:
        return self.error is None and self.status is not None


def post(
    client: httpx.Client, url: str, label: str, data: bytes, version: SoapVersion, action: str
) -> Exchange:
    exchange = Exchange(label, "POST", url, data)
    started = time.perf_counter()
    try:
        response = client.post(url, content=data, headers=request_headers(version, action))
        exchange.status = response.status_code
        exchange.response = response.content[:MAX_KEPT]
        exchange.content_type = response.headers.get("content-type")
    except httpx.HTTPError as exc:
        exchange.error = f"{type(exc).__name__}: {exc}"
    exchange.seconds = time.perf_counter() - started
    return exchange


def get(client: httpx.Client, url: str, label: str) -> Exchange:
    exchange = Exchange(label, "GET", url, b"")
    started = time.perf_counter()
    try:
        response = client.get(url)
        exchange.status = response.status_code
        exchange.response = response.content
        exchange.content_type = response.headers.get("content-type")
    except httpx.HTTPError as exc:
        exchange.error = f"{type(exc).__name__}: {exc}"
    exchange.seconds = time.perf_counter() - started
    return exchange
