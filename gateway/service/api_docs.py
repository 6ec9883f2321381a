"""Swagger UI (``/docs``) and ReDoc (``/redoc``) from assets brug serves itself.

FastAPI's default pages load Swagger UI from a CDN: on an operator's machine without internet
(a government network, an air-gapped test bench) ``/docs`` stayed blank, and every visit told a
third party which gateway was being read. The assets come from the ``fastapi-offline`` package
(it ships Swagger UI's bundle and CSS, ReDoc's standalone bundle and a favicon, rebuilt with each
release); brug mounts that folder under ``/docs/assets`` and renders FastAPI's own HTML pages
pointing at it. ReDoc is rendered without Google Fonts for the same reason, and both pages carry
a Content-Security-Policy that lets the browser load nothing from another host (ReDoc's sidebar
would otherwise fetch the Redocly logo from Redocly's CDN; the policy blocks it and ReDoc hides
the image). FastAPI's pages start the UI with an inline script, which the policy allows.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

#: Everything from brug itself; inline script and style for FastAPI's page and Swagger UI,
#: blob: workers for ReDoc's search.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
)
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
#: The folder of Swagger UI and ReDoc files inside the installed ``fastapi-offline`` package.
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"


def _own_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["content-security-policy"] = DOCS_CSP
    return page


def install_api_docs(app: FastAPI) -> None:
    """Mount the assets and the two pages; ``app`` must be built with ``docs_url=None``."""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="api-docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _own_only(
            get_swagger_ui_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=f"{root}{oauth2_redirect}",
                swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _own_only(
            get_redoc_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
