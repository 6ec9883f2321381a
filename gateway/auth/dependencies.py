"""FastAPI glue: who is calling (``current_principal``) and what they may do (``require_scope``).

The service object lives on ``app.state`` (put there by :func:`install_auth`) rather than in a
module global, so two apps in one process (tests, the demo) never share clients or replay state.

Usage in a route::

    VovWriter = Annotated[Principal, Depends(require_scope("vov:write"))]

    @router.post("/vov/registrations")
    async def submit(principal: VovWriter) -> ...: ...
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gateway.auth.context import AUTH_STATE, AuthContext, auth_context
from gateway.auth.errors import OAuthError, OAuthErrorCode, authentication_required
from gateway.auth.mtls import peer_certificate
from gateway.auth.principal import Principal
from gateway.auth.routes import token_router
from gateway.auth.service import AuthService
from gateway.config.sections import ServerConfig
from gateway.observability.middleware import CLIENT_STATE_KEY

log = logging.getLogger(__name__)


def install_auth(app: FastAPI, service: AuthService, server: ServerConfig | None = None) -> None:
    """Attach ``service`` to ``app``, render :class:`OAuthError` as RFC 6749/6750 JSON, and mount
    the token endpoint and the JWKS (:func:`gateway.auth.routes.token_router`)."""
    setattr(app.state, AUTH_STATE, AuthContext(service, server or ServerConfig()))
    app.add_exception_handler(OAuthError, oauth_error_handler)  # type: ignore[arg-type]
    app.include_router(token_router())


async def oauth_error_handler(request: Request, exc: OAuthError) -> JSONResponse:
    """The JSON body and headers RFC 6749 §5.2 / RFC 6750 §3 prescribe; the reason is logged."""
    log.warning(
        "authentication refused: %s",
        exc.error.value,
        extra={"oauth_error": exc.error.value, "reason": exc.reason, "path": request.url.path},
    )
    return JSONResponse(exc.as_dict(), status_code=exc.status_code, headers=exc.headers())


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError(OAuthErrorCode.INVALID_TOKEN, "use Authorization: Bearer <token>")
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """A bearer access token if one is sent, else a TLS client certificate, else 401.

    A bad bearer token is refused even when a certificate is present too: falling back would
    hide a client's misconfiguration and make the outcome depend on header order.
    """
    context = auth_context(request)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        principal = context.service.verify_access_token(_bearer(authorization))
    else:
        try:
            cert = peer_certificate(request.scope, context.server)
        except ValueError as exc:
            raise OAuthError(
                OAuthErrorCode.INVALID_CLIENT, "client certificate unreadable", reason=str(exc)
            ) from None
        if cert is None:
            raise authentication_required()
        principal = context.service.principal_from_client_cert(cert)
    setattr(request.state, CLIENT_STATE_KEY, principal.client_id)
    return principal


def require_scope(*scopes: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that authenticates the caller and demands every scope in ``scopes``.

    Missing scopes give 403 ``insufficient_scope`` (RFC 6750 §3.1) naming what is needed.
    """
    needed = frozenset(scopes)
    listed = " ".join(sorted(needed))

    async def dependency(request: Request) -> Principal:
        principal = await current_principal(request)
        if not principal.has_scopes(needed):
            raise OAuthError(
                OAuthErrorCode.INSUFFICIENT_SCOPE,
                f"this operation needs scope {listed}",
                reason=f"{principal.client_id} lacks {' '.join(sorted(needed - principal.scopes))}",
                scope=listed,
            )
        return principal

    return dependency
