"""``POST /oauth2/token`` and ``GET /.well-known/jwks.json`` as a FastAPI router.

The form is parsed here with :func:`urllib.parse.parse_qs` instead of FastAPI's ``Form``: that
keeps ``python-multipart`` out of the dependencies, lets brug refuse a repeated parameter (RFC
6749 §3.2) and bounds the body before parsing it.
"""

from __future__ import annotations

import urllib.parse

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gateway.auth.context import auth_context
from gateway.auth.errors import NO_STORE, OAuthError, OAuthErrorCode
from gateway.auth.service import TokenRequest, TokenResponse

TOKEN_PATH = "/oauth2/token"  # noqa: S105 (a URL path)
JWKS_PATH = "/.well-known/jwks.json"
MAX_FORM_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


async def _read_form(request: Request) -> dict[str, list[str]]:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != FORM_TYPE:
        raise OAuthError(OAuthErrorCode.INVALID_REQUEST, f"send the request as {FORM_TYPE}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise OAuthError(OAuthErrorCode.INVALID_REQUEST, "request body too large")
    try:
        return urllib.parse.parse_qs(
            body.decode("utf-8"), keep_blank_values=False, max_num_fields=20
        )
    except (UnicodeDecodeError, ValueError):
        raise OAuthError(OAuthErrorCode.INVALID_REQUEST, "malformed form body") from None


def token_router(token_path: str = TOKEN_PATH, jwks_path: str = JWKS_PATH) -> APIRouter:
    router = APIRouter(tags=["auth"])

    @router.post(token_path, response_model=TokenResponse)
    async def token(request: Request) -> JSONResponse:
        """OAuth2 client credentials with a ``private_key_jwt`` client assertion."""
        service = auth_context(request).service
        form = TokenRequest.from_form(await _read_form(request))
        # A JWKS URL may have to be fetched: keep blocking I/O off the event loop.
        response = await run_in_threadpool(service.issue_token, form)
        return JSONResponse(response.model_dump(), headers=NO_STORE)

    @router.get(jwks_path)
    async def jwks(request: Request) -> JSONResponse:
        """The public key of brug's access tokens, for backends that verify them themselves."""
        return JSONResponse(auth_context(request).service.jwks())

    return router
