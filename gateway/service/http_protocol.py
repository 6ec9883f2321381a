"""uvicorn's httptools protocol with a bound on the request head, and the client certificate.

**The client certificate.** When brug terminates TLS itself with a client CA (``[server]
client_ca``), uvicorn verifies the certificate a client presents in the handshake but does not
tell the application which one it was (its ASGI TLS extension has been an open pull request for
years). This protocol reads it from the connection's SSL object once per connection and puts it
in every request's scope as the ASGI TLS extension says, ``scope["extensions"]["tls"]
["client_cert_chain"]`` (PEM), where :func:`gateway.auth.mtls.peer_certificate` finds it: mutual
TLS works without a proxy in front.

**The request head.**
httptools buffers a header's value until it ends, and uvicorn sets no limit: one request with a
50 MB ``Authorization`` header made ``brug serve`` grow by ~240 MB before any of brug's code
ran. This protocol counts the bytes of the request head as they arrive, before they are fed to
the parser, and answers ``431 Request Header Fields Too Large`` (a problem+json body) and closes
the connection once the head passes :data:`MAX_HEAD_BYTES`: memory stays bounded whatever an
unauthenticated client sends, and nothing of brug runs for it.

``brug serve`` selects it with uvicorn's ``http=`` option (by import path, so that
``--workers N`` processes load it too).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.service.rest import problems

#: Request line and headers together; a JWT access token with a certificate chain in a proxy
#: header stays far below this.
MAX_HEAD_BYTES = 64 * 1024
IMPORT_PATH = "gateway.service.http_protocol:BoundedHttpToolsProtocol"

_BODY = json.dumps(
    problems.problem(
        problems.REQUEST_HEADERS_TOO_LARGE,
        f"the request line and headers may hold at most {MAX_HEAD_BYTES} bytes",
    ),
    separators=(",", ":"),
).encode()
_ANSWER = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/problem+json\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._tls: dict[str, Any] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        connection = transport.get_extra_info("ssl_object")
        if isinstance(connection, ssl.SSLObject | ssl.SSLSocket):
            der = connection.getpeercert(binary_form=True)
            chain = [ssl.DER_cert_to_PEM_cert(der)] if der else []
            self._tls = {"client_cert_chain": chain, "server_cert": None}

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls is not None:
            cast(dict[str, Any], self.scope)["extensions"] = {"tls": self._tls}

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4
            if self._head_bytes > MAX_HEAD_BYTES:
                self._in_head = False
                self.transport.write(_ANSWER)
                self.transport.close()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0  # the next request on this connection
