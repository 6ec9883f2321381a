"""One real stack per session for the browser tests (gateway, Brussels simulator), and Chromium
per test module.

Playwright's sync API keeps an event loop running while it is started: it is stopped at the end
of each module, so that tests collected after these (``asyncio.run`` in them) are unaffected.

Each test module skips, with the reason, when Debian's Chromium or Playwright is missing
(:func:`tests.browser.support.skip_without_chromium`). Chromium is
``/usr/bin/chromium`` from Debian (``.ci/install-peers.sh``); ``playwright install`` is never run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from adapters.simulation.process import RunningProcess, free_port
from gateway.wssecurity.pki import PkiLayout, init_pki
from tests.browser.support import (
    CHROMIUM,
    Backend,
    Gateway,
    chromium_missing,
    console_config,
    new_context,
)
from tests.reliability.support import brussels_simulator

#: Where the tests write the console's screenshots; docs/img when regenerating the docs'.
SHOTS_ENV = "BRUG_CONSOLE_SCREENSHOTS"

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def pki(workdir: Path) -> PkiLayout:
    return init_pki(workdir / "pki")


@pytest.fixture(scope="session")
def brussels(workdir: Path, pki: PkiLayout) -> Iterator[RunningProcess]:
    with brussels_simulator(workdir, pki) as sim:
        yield sim


@pytest.fixture(scope="session")
def gateway(workdir: Path, pki: PkiLayout, brussels: RunningProcess) -> Iterator[Gateway]:
    port = free_port()
    config = console_config(workdir, pki, port, brussels.service_url)
    running = Gateway(config, port, workdir / "gateway.log", ca=pki.ca_cert).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def backend(gateway: Gateway, pki: PkiLayout) -> Iterator[Backend]:
    client = Backend(gateway.url, pki)
    yield client
    client.close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    missing = chromium_missing()
    if missing is not None:  # the test modules skip first; this guards a direct use
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def admin(browser: Browser, gateway: Gateway, pki: PkiLayout) -> Iterator[BrowserContext]:
    context = new_context(browser, gateway, pki, "operator-admin", locale="en-GB")
    yield context
    context.close()


@pytest.fixture(scope="module")
def viewer(browser: Browser, gateway: Gateway, pki: PkiLayout) -> Iterator[BrowserContext]:
    context = new_context(browser, gateway, pki, "operator-viewer", locale="fr-BE")
    yield context
    context.close()


@pytest.fixture(scope="session")
def shots(workdir: Path) -> Path:
    target = Path(os.environ.get(SHOTS_ENV) or workdir / "shots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="module")
def browser_anonymous(
    browser: Browser, gateway: Gateway, pki: PkiLayout
) -> Iterator[BrowserContext]:
    context = new_context(browser, gateway, pki, None, locale="en-GB")
    yield context
    context.close()
