"""Response headers that keep personal data out of caches and browsers' guesses.

Answers of the REST API, the SOAP endpoint and the token endpoint may carry an INSZ, a course
catalogue entry or a signed acknowledgement: no proxy or browser may keep them
(``Cache-Control: no-store``), no browser may sniff them into something executable
(``X-Content-Type-Options: nosniff``), and none may frame them (``X-Frame-Options: DENY`` and
``Content-Security-Policy: frame-ancestors 'none'``). A header the route set itself wins (a
WSDL or schema file may be cached: they are public and versioned).

The operator console (``/console``) is a browser application: its pages get a strict
Content-Security-Policy instead (everything from brug itself, no inline script or style, forms
posting only to brug), so that an injected string can never run as script there.

Pure ASGI (no ``BaseHTTPMiddleware``): it only rewrites the start of each response, on the path
of every exchange.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)

CONSOLE_PREFIX = "/console"
CONSOLE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    b"object-src 'none'"
)
CONSOLE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CONSOLE_CSP),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = str(scope.get("path", ""))
        console = path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")
        wanted = CONSOLE_HEADERS if console else HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in wanted if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
