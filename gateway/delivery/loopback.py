"""A stand-in partner on loopback, for tests, benchmarks and local demos.

A threaded ``http.server`` (keep-alive, HTTP/1.1) that behaves like a partner with an inbox: it
counts every request per message id (``received``) and applies each id's effect once
(``effects``), answering a retry with the first answer. It can be told to fail the next N
requests, to be down (503), or to refuse everything (400 or a SOAP Client fault).
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gateway.delivery.http_transport import CORRELATION_HEADER, MESSAGE_ID_HEADER

ANSWER = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b"<Ack>%s</Ack></soap:Body></soap:Envelope>"
)
CLIENT_FAULT = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b"<soap:Fault><faultcode>soap:Client</faultcode><faultstring>schema violation"
    b"</faultstring></soap:Fault></soap:Body></soap:Envelope>"
)
SERVER_FAULT = CLIENT_FAULT.replace(b"soap:Client", b"soap:Server").replace(
    b"schema violation", b"backend unavailable"
)


class LoopbackPartner:
    """Start with ``with LoopbackPartner() as partner: partner.url``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.received: Counter[str] = Counter()
        self.effects: Counter[str] = Counter()
        self.mode = "ok"  # ok | down | reject400 | client_fault | server_fault
        self.fail_next = 0
        self.correlation_ids: dict[str, str | None] = {}  # message id -> X-Correlation-ID seen
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/partner"

    def __enter__(self) -> LoopbackPartner:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def total_received(self) -> int:
        with self._lock:
            return sum(self.received.values())

    def _decide(self, message_id: str) -> tuple[int, bytes]:
        with self._lock:
            self.received[message_id] += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, b"temporarily unavailable"
            if self.mode == "down":
                return 503, b"down for maintenance"
            if self.mode == "reject400":
                return 400, b"bad request"
            if self.mode == "client_fault":
                return 500, CLIENT_FAULT
            if self.mode == "server_fault":
                return 500, SERVER_FAULT
            self.effects[message_id] = 1  # a duplicate has no second effect
            return 200, ANSWER % message_id.encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        partner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are separate small writes: with Nagle on, each answer would wait
            # for the client's delayed ACK (~40 ms) and the "partner" would look very slow.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                message_id = self.headers.get(MESSAGE_ID_HEADER, "")
                with partner._lock:
                    partner.correlation_ids[message_id] = self.headers.get(CORRELATION_HEADER)
                status, body = partner._decide(message_id)
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
