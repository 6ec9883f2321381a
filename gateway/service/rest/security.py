"""Who may call what: scope checks that also describe themselves in the OpenAPI document.

The checking is :mod:`gateway.auth`'s (bearer token, else a TLS client certificate); this module
only adds what a REST route needs on top: "any one of these scopes" (storing a course is allowed
with ``odb:write`` or ``vov:write``) and the security requirements in the OpenAPI document, so a
generated client or Swagger UI knows the token URL and the scope each operation needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from gateway.auth import OAuthError, OAuthErrorCode, Principal, current_principal

SCOPES: dict[str, str] = {
    "vov:read": "follow messages, read records Brussels handed over",
    "vov:write": "submit VOV registrations (single and bulk); store ODB courses",
    "odb:read": "read the ODB course catalogue",
    "odb:write": "store ODB courses",
    "vok:read": "career breaks, VOK checks and the proactive VOK list",
    "outbox:admin": "operators: list, inspect, retry and purge outbox entries",
    "reports:read": "policy: the evaluation report (aggregates, small cells suppressed)",
}

OAUTH2_DESCRIPTION = (
    "OAuth2 client credentials. The client authenticates at the token endpoint with a signed "
    "JWT (RFC 7523 `private_key_jwt`: `client_assertion_type="
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer`), never a shared secret; the access "
    "token (5 minutes) is sent as `Authorization: Bearer`."
)
MTLS_SCHEME = "mutualTLS"
MTLS_DESCRIPTION = (
    "Mutual TLS: a client certificate registered for the client (fingerprint or subject), "
    "checked by brug or forwarded by a trusted TLS-terminating proxy. Scopes come from the "
    "client's configuration."
)


def _oauth2_scheme(token_url: str) -> OAuth2:
    flows = OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl=token_url, scopes=SCOPES)
    )
    return OAuth2(
        flows=flows, scheme_name="oauth2", description=OAUTH2_DESCRIPTION, auto_error=False
    )


PrincipalDependency = Callable[..., Awaitable[Principal]]


class ScopeGuards:
    """Build per-route dependencies: ``Depends(guards.any_of("odb:write", "vov:write"))``."""

    def __init__(self, token_url: str) -> None:
        self._oauth2 = _oauth2_scheme(token_url)

    def any_of(self, *scopes: str) -> PrincipalDependency:
        """Authenticate and demand at least one of ``scopes`` (403 ``insufficient_scope``)."""
        needed = frozenset(scopes)
        listed = " ".join(sorted(needed))
        # Defaults, not Annotated metadata: FastAPI resolves string annotations in the
        # module's globals, where these closure values do not exist.
        token_scheme = Security(self._oauth2, scopes=sorted(needed))

        async def dependency(
            request: Request,
            _token: Any = token_scheme,
        ) -> Principal:
            principal = await current_principal(request)
            if not needed & principal.scopes:
                raise OAuthError(
                    OAuthErrorCode.INSUFFICIENT_SCOPE,
                    f"this operation needs scope {' or '.join(sorted(needed))}",
                    reason=f"{principal.client_id} has none of {listed}",
                    scope=listed,
                )
            return principal

        return dependency
