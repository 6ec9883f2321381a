"""HTTP with the partner's endpoint, recorded: every exchange ends up in the reports.

Transport errors are recorded, not raised: an endpoint that drops the connection on an XXE
message has answered that case (badly), it has not stopped the suite. Only the preflight in the
runner treats "no connection at all" as a bad target (exit 2).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from gateway.soap.envelope import SoapVersion, request_headers

MAX_KEPT = 64 * 1024  # response bytes kept for the reports; more is cut


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
