"""A lean open-loop HTTP/1.1 load generator for the gateway benchmark (asyncio streams).

Why not httpx: its per-request cost (~0.3-0.5 ms of CPU) would take a large share of one of the
machine's two cores at 1,000 requests/s, and the generator would measure itself instead of the
gateway. This sends pre-built POST requests over a pool of keep-alive connections: request ``i``
leaves at ``start + i / rate`` whatever happened to earlier ones (open loop, so a slow gateway
shows as latency and a backlog, not as a politely lowered rate), and each latency is measured
from the moment the request was written to the moment its whole answer was read.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    max_lag_ms: float = 0.0  # how late the generator itself sent a request (should stay ~0)

    def error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        self.writer.close()


_FAULT_CODE = re.compile(rb"<(?:\w+:)?(?:faultcode|Value)>([^<]{1,80})</")
_FAULT_TEXT = re.compile(rb"<(?:\w+:)?(?:faultstring|Text)[^>]*>([^<]{1,120})</")


def _fault_code(body: bytes) -> str:
    """ " (SOAP fault code: reason)" of a fault answer, so a run with errors says which."""
    codes = _FAULT_CODE.findall(body)
    if not codes:
        return ""
    text = _FAULT_TEXT.search(body)
    reason = text.group(1).decode("utf-8", "replace") if text else ""
    return f" {codes[-1].decode('utf-8', 'replace')}: {reason}"


def build_request(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    lines = [f"POST {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


async def open_loop(
    url: str,
    bodies: list[bytes],
    headers: dict[str, str],
    rate: float,
    *,
    ok_marker: bytes,
    max_connections: int = 256,
) -> LoadResult:
    """Send ``bodies`` at ``rate`` per second; ok means HTTP 200 with ``ok_marker`` in the body."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [build_request(url, b, headers) for b in bodies]
    idle: list[_Connection] = []
    opened = 0
    result = LoadResult()
    slots = asyncio.Semaphore(max_connections)

    async def one(i: int, request: bytes, start: float) -> None:
        nonlocal opened
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        result.max_lag_ms = max(result.max_lag_ms, -delay * 1000)
        async with slots:
            if idle:
                conn = idle.pop()
            else:
                reader, writer = await asyncio.open_connection(host, port)
                conn = _Connection(reader, writer)
                opened += 1
            sent = time.perf_counter()
            try:
                status, body = await conn.exchange(request)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                conn.close()
                result.error(type(exc).__name__)
                return
            latency = (time.perf_counter() - sent) * 1000
            idle.append(conn)
        if status == 200 and ok_marker in body:
            result.latencies_ms.append(latency)
        else:
            result.error(f"HTTP {status}{_fault_code(body)}")

    start = time.perf_counter() + 0.2
    await asyncio.gather(*(one(i, r, start) for i, r in enumerate(requests)))
    result.elapsed = time.perf_counter() - start
    for conn in idle:
        conn.close()
    return result
