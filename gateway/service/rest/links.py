"""Absolute links of the REST API (``self``, paging, ``Location``)."""

from __future__ import annotations

from starlette.requests import Request


def href(request: Request, path: str) -> str:
    """The absolute URI of ``path`` (``/v1/...``) as this request's client reaches the API.

    ``[server] public_url`` when configured (behind a TLS-terminating proxy the request's own
    base URL is the internal address: ``brug serve`` does not rewrite it from forwarded
    headers), else the request's base URL.
    """
    context = getattr(request.app.state, "context", None)
    public = None if context is None else context.settings.server.public_url
    base = str(public) if public is not None else str(request.base_url)
    return base.rstrip("/") + path
