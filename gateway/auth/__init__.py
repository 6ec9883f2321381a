"""Authentication of REST clients (Flemish backends) and authorisation by scope.

Two ways in, one :class:`Principal` out:

* OAuth2 client credentials where the client proves itself with a signed JWT (RFC 7523
  ``private_key_jwt``, as the Flemish ACM/IDM does): :meth:`AuthService.issue_token` at
  ``POST /oauth2/token``, then ``Authorization: Bearer`` on every call;
* mutual TLS, the client certificate forwarded by a trusted proxy (:mod:`gateway.auth.mtls`).

FastAPI routes use ``Depends(require_scope("vov:write"))`` after :func:`install_auth`.
See docs/operations.md for the flows with curl examples.
"""

from __future__ import annotations

from gateway.auth.access_tokens import AccessTokenSigner, jwk_thumbprint
from gateway.auth.assertion import (
    CLIENT_ASSERTION_TYPE,
    AssertionPolicy,
    make_client_assertion,
    verify_client_assertion,
)
from gateway.auth.dependencies import (
    current_principal,
    install_auth,
    oauth_error_handler,
    require_scope,
)
from gateway.auth.errors import OAuthError, OAuthErrorCode
from gateway.auth.mtls import (
    certificate_from_proxy_header,
    peer_certificate,
    principal_from_client_cert,
)
from gateway.auth.principal import Principal
from gateway.auth.registry import ClientRegistry, RegisteredClient
from gateway.auth.routes import JWKS_PATH, TOKEN_PATH, token_router
from gateway.auth.service import AuthService, TokenRequest, TokenResponse
from gateway.wssecurity.replay import InMemoryReplayCache, ReplayCache

__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "JWKS_PATH",
    "TOKEN_PATH",
    "AccessTokenSigner",
    "AssertionPolicy",
    "AuthService",
    "ClientRegistry",
    "InMemoryReplayCache",
    "OAuthError",
    "OAuthErrorCode",
    "Principal",
    "RegisteredClient",
    "ReplayCache",
    "TokenRequest",
    "TokenResponse",
    "certificate_from_proxy_header",
    "current_principal",
    "install_auth",
    "jwk_thumbprint",
    "make_client_assertion",
    "oauth_error_handler",
    "peer_certificate",
    "principal_from_client_cert",
    "require_scope",
    "token_router",
    "verify_client_assertion",
]
