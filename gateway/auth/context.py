"""Where an app keeps its :class:`AuthService`: ``app.state``, read back per request.

Its own module so that both the FastAPI glue (:mod:`gateway.auth.dependencies`) and the token
endpoint (:mod:`gateway.auth.routes`) can read it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from gateway.auth.service import AuthService
from gateway.config.sections import ServerConfig

AUTH_STATE = "brug_auth"


@dataclass(frozen=True, slots=True)
class AuthContext:
    service: AuthService
    server: ServerConfig


def auth_context(request: Request) -> AuthContext:
    context = getattr(request.app.state, AUTH_STATE, None)
    if not isinstance(context, AuthContext):
        raise RuntimeError("install_auth(app, service) was not called for this app")
    return context
