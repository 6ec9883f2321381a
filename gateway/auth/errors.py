"""OAuth2 errors as RFC 6749 (token endpoint) and RFC 6750 (protected resources) define them.

Clients written against any OAuth2 library branch on the ``error`` code, so the codes and the
HTTP status that goes with each are fixed here, once. ``reason`` is brug's own precise cause (for
logs and tests); ``description`` is what the client sees. They differ on purpose in one case: an
unknown client id and a signature made with the wrong key produce the same description, so the
token endpoint cannot be used to find out which client ids exist.
"""

from __future__ import annotations

import re
from enum import StrEnum

from gateway.errors import BrugError


class OAuthErrorCode(StrEnum):
    INVALID_REQUEST = "invalid_request"
    INVALID_CLIENT = "invalid_client"
    INVALID_GRANT = "invalid_grant"
    UNAUTHORIZED_CLIENT = "unauthorized_client"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    INVALID_SCOPE = "invalid_scope"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (an error code)
    INSUFFICIENT_SCOPE = "insufficient_scope"


_STATUS: dict[OAuthErrorCode, int] = {
    OAuthErrorCode.INVALID_CLIENT: 401,
    OAuthErrorCode.INVALID_TOKEN: 401,
    OAuthErrorCode.INSUFFICIENT_SCOPE: 403,
}

# RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no '"' and no '\').
_NOT_ALLOWED = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(BrugError):
    """A refused token request or a refused call to a protected resource."""

    def __init__(
        self,
        error: OAuthErrorCode,
        description: str,
        *,
        reason: str | None = None,
        scope: str | None = None,
    ) -> None:
        self.error = error
        self.description = _NOT_ALLOWED.sub("?", description)
        self.reason = reason or description
        self.scope = scope
        super().__init__(f"{error.value}: {self.reason}")

    @property
    def status_code(self) -> int:
        return _STATUS.get(self.error, 400)

    def as_dict(self) -> dict[str, str]:
        return {"error": self.error.value, "error_description": self.description}

    def headers(self) -> dict[str, str]:
        """``Cache-Control: no-store`` always; a Bearer challenge for resource errors."""
        headers = dict(NO_STORE)
        if self.error in (OAuthErrorCode.INVALID_TOKEN, OAuthErrorCode.INSUFFICIENT_SCOPE):
            challenge = f'Bearer error="{self.error.value}", error_description="{self.description}"'
            if self.scope:
                challenge += f', scope="{self.scope}"'
            headers["WWW-Authenticate"] = challenge
        return headers


def authentication_required(description: str = "authentication required") -> OAuthError:
    """No credentials at all: RFC 6750 §3.1 says answer 401 with a bare ``Bearer`` challenge."""
    return _NoCredentials(description)


class _NoCredentials(OAuthError):
    def __init__(self, description: str) -> None:
        super().__init__(OAuthErrorCode.INVALID_TOKEN, description, reason="no credentials")

    def as_dict(self) -> dict[str, str]:
        return {"error": "unauthorized", "error_description": self.description}

    def headers(self) -> dict[str, str]:
        return {**NO_STORE, "WWW-Authenticate": 'Bearer realm="brug"'}
