"""The operator console in Debian's Chromium, against the real stack (issue 16's scenario).

An operator signs in with their certificate, sees a dead letter appear after Brussels refuses a
message, retries it and sees it delivered; a viewer cannot retry; a visitor without a session is
sent to sign in; a POST without the session's CSRF token is refused; a worker's message is found
by INSZ (shown masked only); the audit chain verifies; Brussels going down shows in the live
overview and the backlog drains when it returns; the pages speak French; axe-core finds no
accessibility violation on any page, at 1280 px and at phone width.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from adapters.simulation.process import RunningProcess
from gateway.identifiers.insz import mask_insz
from gateway.wssecurity.pki import PkiLayout
from tests.browser.support import (
    AXE,
    Backend,
    Gateway,
    new_context,
    skip_without_chromium,
)
from tests.reliability.support import wait_until

skip_without_chromium()  # before importing Playwright

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect  # noqa: E402

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now.

    The console's CSP forbids inline scripts, so axe is evaluated through the DevTools
    protocol (page.evaluate), not added as a <script>."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
    ]


def check_page(page: Page, shots: Path, name: str) -> None:
    """No axe violation, at desktop and phone width; a screenshot of each."""
    for label, size in (("", DESKTOP), ("-phone", PHONE)):
        page.set_viewport_size(size)
        found = axe_violations(page)
        assert not found, f"{name}{label}: {json.dumps(found, indent=1)}"
        page.screenshot(path=str(shots / f"console-{name}{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def refused_message(
    page: Page,
    brussels: RunningProcess,
    backend: Backend,
    *,
    seed: int,
    path: str = "/console/dead-letters",
) -> tuple[str, Locator]:
    """Brussels refuses one new registration; its id and its row once the dead letters show it."""
    brussels.set_faults(fail_ratio=1.0, fail_mode="refuse")
    try:
        [(message_id, _)] = backend.submit(1, seed=seed)
        page.goto(path)
        row = page.locator(f'tr[data-message="{message_id}"]')

        def appeared() -> bool:
            page.reload()
            return row.count() == 1

        wait_until(appeared, timeout=30, what="the refused message among the dead letters")
    finally:
        brussels.clear_faults()
    return message_id, row


def test_visitor_without_a_session_is_sent_to_sign_in(
    browser_anonymous: BrowserContext,
) -> None:
    page = browser_anonymous.new_page()
    answer = page.goto("/console/dead-letters")
    assert answer is not None
    assert re.search(r"/console/login\?next=/console/dead-letters$", page.url)
    assert answer.status == 401  # no client certificate presented
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_contain_text("presented no client certificate")
    page.close()


def test_dead_letter_retried_and_delivered(
    admin: BrowserContext, brussels: RunningProcess, backend: Backend, shots: Path
) -> None:
    page = admin.new_page()
    page.goto("/console")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    expect(page.get_by_text("Signed in as")).to_contain_text("An Admin")
    check_page(page, shots, "overview")

    message_id, row = refused_message(page, brussels, backend, seed=11)
    expect(row).to_contain_text("simulated refusal")
    check_page(page, shots, "dead-letters")

    # "Select all" (console.js, shown only with JavaScript) ticks every box, then clears them.
    boxes = page.locator('input[name="entry"]')
    select_all = page.get_by_role("button", name="Select all")
    select_all.click()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    select_all.click()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Retry selected").click()
    expect(page.get_by_role("status")).to_have_text("1 message(s) queued again.")
    expect(page.locator(f'tr[data-message="{message_id}"]')).to_have_count(0)

    page.goto(f"/console/messages/{message_id}")
    status = page.locator("[data-status]").first

    def delivered() -> bool:
        page.reload()
        return status.get_attribute("data-status") == "delivered"

    wait_until(delivered, timeout=30, what="the retried message to be delivered")
    history = page.locator("#history + .table-wrap table")
    expect(history).to_contain_text("console.retry")
    expect(history).to_contain_text("retry by operator an-admin (admin)")
    check_page(page, shots, "message")
    page.close()


def test_viewer_cannot_retry(
    viewer: BrowserContext, backend: Backend, brussels: RunningProcess
) -> None:
    page = viewer.new_page()
    refused_message(page, brussels, backend, seed=12)  # a dead letter for the viewer to see
    # French for a browser that asks for it; no selection, no buttons for a viewer.
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages en échec")
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Renvoyer la sélection")).to_have_count(0)
    # The form post anyway, with the viewer's own valid CSRF token: refused for the role.
    page.goto("/console/audit")
    token = page.locator('input[name="csrf"]').first.get_attribute("value")
    answer = page.request.post(
        "/console/dead-letters",
        form={"csrf": token or "", "action": "retry", "entry": "1"},
        headers={"Accept-Language": "fr-BE,fr;q=0.9"},
        max_redirects=0,
    )
    assert answer.status == 403
    assert "rôle lecteur" in answer.text()
    page.close()


def test_post_without_csrf_token_is_refused(admin: BrowserContext) -> None:
    page = admin.new_page()
    page.goto("/console/audit")
    for form in ({"action": "retry", "entry": "1"}, {"csrf": "forged", "action": "purge"}):
        answer = page.request.post("/console/dead-letters", form=form, max_redirects=0)
        assert answer.status == 403
        assert "csrf.mismatch" in answer.text()
    page.close()


def test_find_a_workers_message_by_insz(
    admin: BrowserContext, backend: Backend, shots: Path
) -> None:
    [(message_id, insz)] = backend.submit(1, seed=13)
    page = admin.new_page()
    page.goto("/console/search")
    page.get_by_label("Message id, correlation id, registration id or INSZ").fill(insz)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        f"Messages for INSZ {mask_insz(insz)}"
    )
    expect(page.get_by_role("link", name=message_id)).to_be_visible()
    assert insz not in page.content()  # typed in full, never shown back
    assert insz not in page.url
    check_page(page, shots, "search")
    page.close()


def test_verify_the_audit_chain(admin: BrowserContext, shots: Path) -> None:
    page = admin.new_page()
    page.goto("/console/audit")
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "intact")
    expect(page.get_by_role("status")).to_contain_text("The chain is intact")
    check_page(page, shots, "audit")
    page.close()


def test_the_evaluation_figures_with_their_charts(admin: BrowserContext, shots: Path) -> None:
    page = admin.new_page()
    page.goto("/console/evaluation?schoolYear=2025-2026")
    check_page(page, shots, "evaluation")
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    # a whole page of its own (its own CSP), not swapped into the console by htmx
    with page.expect_navigation():
        page.get_by_role("link", name="2025-2026").first.click()
    assert page.url.endswith("/console/evaluation/report?schoolYear=2025-2026")
    charts = page.locator("svg")
    assert charts.count() >= 1
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 200  # rendered, not collapsed
    assert not blocked, blocked  # the charts' inline styles are allowed, nothing else needed
    page.screenshot(path=str(shots / "console-evaluation-report.png"), full_page=False)
    page.close()


def test_brussels_down_shows_live_and_the_backlog_drains(
    admin: BrowserContext, brussels: RunningProcess, backend: Backend, shots: Path
) -> None:
    page = admin.new_page()
    page.goto("/console?lang=nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    brussels_row = page.locator('tr[data-partner="brussels"]')
    brussels.set_faults(down_for_seconds=10)
    backend.submit(8, seed=14)
    # No reload from here on: the overview refreshes itself (htmx, every 3 s).
    expect(brussels_row.locator('[data-col="circuit"]')).to_contain_text("open", timeout=30_000)
    pending = int(brussels_row.locator('[data-col="pending"]').inner_text())
    assert pending > 0
    page.screenshot(path=str(shots / "console-overview-brussels-down.png"), full_page=True)
    expect(brussels_row.locator('[data-col="pending"]')).to_have_text("0", timeout=60_000)
    expect(brussels_row.locator('[data-col="circuit"]')).to_contain_text("gesloten")
    page.goto("/console?lang=en")  # the profile is shared with the next tests
    page.close()


def test_the_accessibility_checker_finds_what_it_should(
    browser_anonymous: BrowserContext,
) -> None:
    """axe-core as these tests run it does report violations (an image without text, an
    unlabelled field, grey on white): a clean console page is a finding, not a blind spot."""
    page = browser_anonymous.new_page()
    page.set_content(
        '<html lang="en"><body><main><img src="x.png"><input type="text">'
        '<p style="color:#bbb">faint</p></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= found
    page.close()


def test_keyboard_only_retry(
    admin: BrowserContext, brussels: RunningProcess, backend: Backend
) -> None:
    """Skip link, then Tab to the message's box, Space to select, Tab to the button, Enter."""
    page = admin.new_page()
    _, row = refused_message(page, brussels, backend, seed=15, path="/console/dead-letters?lang=en")
    box = row.locator("input[type=checkbox]")
    box_id = box.get_attribute("id")

    def focused(script: str) -> str:
        return str(page.evaluate(f"() => document.activeElement.{script}"))

    page.keyboard.press("Tab")
    assert focused("textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert focused("id") == "content"
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused("id") == box_id:
            break
    else:
        raise AssertionError("the message's checkbox is not reachable with Tab")
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused("textContent") == "Retry selected":
            break
    else:
        raise AssertionError("the retry button is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("1 message(s) queued again.")
    page.close()


def test_without_javascript_the_console_still_works(
    browser: Browser, gateway: Gateway, pki: PkiLayout, brussels: RunningProcess, backend: Backend
) -> None:
    """Plain pages and form posts: sign in, see the dead letter, retry it, no script at all."""
    context = new_context(
        browser, gateway, pki, "operator-admin", locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    _, row = refused_message(page, brussels, backend, seed=16)
    expect(page.get_by_role("button", name="Select all")).to_be_hidden()
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Retry selected").click()
    expect(page.get_by_role("status")).to_have_text("1 message(s) queued again.")
    assert page.url.endswith("/console/dead-letters?done=retry&count=1")  # post/redirect/get
    page.goto("/console")
    expect(page.locator('tr[data-partner="brussels"]')).to_be_visible()
    context.close()
