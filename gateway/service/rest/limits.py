"""A size limit on JSON request bodies: 413 ``payloadTooLarge`` instead of reading it all.

A VOV registration with its course is a few kilobytes; a body of megabytes is a mistake or an
attack, and FastAPI would read it whole into memory before validating it. The limit applies to
every ``/v1`` request except the bulk endpoint (which streams its body line by line and limits
each line itself): a declared ``Content-Length`` over the limit is refused before anything is
read, and a body sent without one (chunked) is refused as soon as it grows over the limit.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.service.rest import problems

#: The largest JSON body a ``/v1`` operation reads (the bulk endpoint excepted).
MAX_BODY_BYTES = 1024 * 1024
#: Paths that stream their body and apply their own limits.
STREAMED = frozenset({"/v1/vov-registrations/bulk"})


def too_large_body(limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    return problems.problem(
        problems.PAYLOAD_TOO_LARGE,
        f"a request body may hold at most {limit} bytes (the bulk endpoint takes files)",
        maxBytes=limit,
    )


def _response(limit: int) -> JSONResponse:
    return JSONResponse(too_large_body(limit), status_code=413, media_type=problems.MEDIA_TYPE)


class BodyLimit:
    """Pure ASGI middleware (no buffering, streaming responses untouched)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, prefix: str = "/v1/") -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(self.prefix) or path in STREAMED:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _response(self.limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # an HTTPException: FastAPI passes it through its body parsing unchanged,
                    # and the REST error handlers render it as this problem
                    raise HTTPException(413, "Payload Too Large")
            return message

        await self.app(scope, counted, send)


__all__ = ["MAX_BODY_BYTES", "BodyLimit", "too_large_body"]
