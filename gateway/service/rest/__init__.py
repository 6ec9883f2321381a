"""The REST API for Flemish backends (``/v1``): see docs/rest-api.md.

Mount it with::

    app = FastAPI(**openapi_metadata())
    install_auth(app, context.auth, context.settings.server)
    app.include_router(rest_router(context))
    install_rest_errors(app)
    describe_rest_api(app)          # mutualTLS in the OpenAPI document

or all of it but ``install_auth`` with :func:`install_rest_api`.
"""

from __future__ import annotations

from fastapi import FastAPI

from gateway.service.context import GatewayContext
from gateway.service.rest.errors import ApiError, install_rest_errors
from gateway.service.rest.limits import BodyLimit
from gateway.service.rest.openapi import describe_rest_api
from gateway.service.rest.router import PREFIX, openapi_metadata, rest_router


def install_rest_api(app: FastAPI, context: GatewayContext) -> None:
    """Mount ``/v1``, its error handlers, its body size limit and its OpenAPI additions on
    ``app``."""
    app.include_router(rest_router(context))
    app.add_middleware(BodyLimit)
    install_rest_errors(app)
    describe_rest_api(app)


__all__ = [
    "PREFIX",
    "ApiError",
    "describe_rest_api",
    "install_rest_api",
    "install_rest_errors",
    "openapi_metadata",
    "rest_router",
]
