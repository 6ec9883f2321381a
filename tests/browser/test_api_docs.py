"""``/docs`` (Swagger UI) and ``/redoc`` render in Chromium with nothing fetched from elsewhere."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.wssecurity.pki import PkiLayout
from tests.browser.support import Gateway, skip_without_chromium

skip_without_chromium()  # before importing Playwright

from playwright.sync_api import BrowserContext, Request, expect  # noqa: E402

pytestmark = pytest.mark.slow


def _hosts_reached(context: BrowserContext, gateway: Gateway, path: str, ready: str) -> set[str]:
    """Hosts other than brug that the page got an answer from; a request the page's CSP
    blocked (ReDoc's logo from Redocly's CDN) never leaves the browser and is not counted,
    but must have failed as blocked."""
    reached: list[str] = []
    blocked: list[tuple[str, str | None]] = []

    def finished(request: Request) -> None:
        reached.append(request.url)

    def failed(request: Request) -> None:
        blocked.append((request.url, request.failure))

    page = context.new_page()
    page.on("requestfinished", finished)
    page.on("requestfailed", failed)
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible(timeout=30_000)
    page.close()
    own = urlsplit(gateway.url).netloc
    outside = [(u, why) for u, why in blocked if urlsplit(u).netloc not in ("", own)]
    assert all(why == "csp" for _, why in outside), outside
    fetched = [u for u in reached if urlsplit(u).scheme not in ("data", "blob")]
    return {urlsplit(u).netloc for u in fetched} - {own}


def test_swagger_ui_renders_the_operations_from_brug_only(
    browser_anonymous: BrowserContext, gateway: Gateway, pki: PkiLayout
) -> None:
    tls = ssl.create_default_context(cafile=str(pki.ca_cert))
    document = httpx.get(f"{gateway.url}/openapi.json", verify=tls, timeout=10).json()
    methods = {"get", "put", "post", "delete", "patch"}
    expected = sum(len(methods & set(item)) for item in document["paths"].values())
    page = browser_anonymous.new_page()
    page.goto("/docs")
    operations = page.locator(".opblock-summary")
    expect(operations.first).to_be_visible(timeout=30_000)
    expect(operations).to_have_count(expected)
    expect(page.get_by_text("/v1/vov-registrations").first).to_be_visible()
    page.close()
    assert _hosts_reached(browser_anonymous, gateway, "/docs", ".opblock-summary") == set()


def test_redoc_renders_from_brug_only(browser_anonymous: BrowserContext, gateway: Gateway) -> None:
    elsewhere = _hosts_reached(browser_anonymous, gateway, "/redoc", "h1")
    assert elsewhere == set()
    page = browser_anonymous.new_page()
    page.goto("/redoc")
    expect(page.locator("h1").first).to_contain_text("brug", timeout=30_000)
    page.close()
