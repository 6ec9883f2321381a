"""The console's pages and actions over a real store: sign-in, sessions, CSRF, roles, retry and
purge with their audit entries, search by every key (INSZ only masked), audit verification."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from adapters.federal.seed import generate
from gateway.audit.chain import AuditRecord
from gateway.delivery import OutboxStatus
from gateway.delivery.outbox import Outcome
from gateway.identifiers.insz import mask_insz
from gateway.models import AttestStatus, CareerBreakMutation
from gateway.service.context import GatewayContext
from gateway.store.tables import AuditEntryRow
from tests.service.console.conftest import PEER, sign_in

INSZ = "85073003328"
REGISTRATION = "VOV-2025-004242"


def dead_letter(context: GatewayContext, message_id: str, *, insz: str = INSZ) -> int:
    """A message accepted for Brussels (audited with the worker's INSZ), then refused."""
    payload = (
        "<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
        f"<bev><dossier>{REGISTRATION}-{message_id}</dossier></bev></soap:Body></soap:Envelope>"
    ).encode()
    entry = context.outbox.enqueue(
        partner="brussels",
        message_id=message_id,
        operation="ReceiveBevRecord",
        payload=payload,
        correlation_id=f"corr-{message_id}",
    )
    context.audit.append(
        AuditRecord(
            "brussels", "ReceiveBevRecord", "out", message_id, entry.digest, "accepted", insz=insz
        )
    )
    context.outbox.claim_batch("w", 10, timedelta(seconds=30))
    context.outbox.record("w", [Outcome(entry.id, "dead", error=f"refused: worker {insz} unknown")])
    return entry.id


def operator_entries(context: GatewayContext) -> list[tuple[str, str]]:
    with context.store.join(None) as session:
        rows = session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.operation.like("console.%"))
        ).all()
        return [(r.operation, r.outcome) for r in rows]


def test_sign_in_needs_an_operator_certificate(client: TestClient) -> None:
    assert client.get("/console/login").status_code == 401
    assert client.get("/console/login", headers={PEER: "flanders"}).status_code == 403
    assert client.get("/console/login", headers={PEER: "expired"}).status_code == 403
    answer = client.get(
        "/console/login",
        params={"next": "https://evil.example/x"},
        headers={PEER: "operator-admin"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console"  # never off-site
    cookie = answer.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/console", "Max-Age=900"):
        assert flag in cookie


def test_pages_without_a_session_send_the_browser_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/dead-letters")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/dead-letters"
    refresh = client.get("/console/overview/partners", headers={"HX-Request": "true"})
    assert refresh.status_code == 401
    assert refresh.headers["hx-redirect"].startswith("/console/login")


def test_a_session_is_tied_to_its_certificate(client: TestClient) -> None:
    sign_in(client, "operator-admin")
    assert client.get("/console", headers={PEER: "operator-admin"}).status_code == 200
    assert client.get("/console", headers={PEER: "operator-viewer"}).status_code == 303


def test_console_pages_have_a_strict_csp_and_no_inline_script(client: TestClient) -> None:
    sign_in(client, "operator-viewer")
    for path in (
        "/console",
        "/console/dead-letters",
        "/console/search",
        "/console/audit",
        "/console/vok",
        "/console/evaluation",
    ):
        page = client.get(path, headers={PEER: "operator-viewer"})
        assert page.status_code == 200, path
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert not re.search(r"<script(?![^>]*\ssrc=)", page.text), path
        assert " style=" not in page.text, path


def test_admin_retries_and_purges_with_an_audit_entry_each(
    client: TestClient, context: GatewayContext
) -> None:
    first, second = dead_letter(context, "m-1"), dead_letter(context, "m-2")
    csrf = sign_in(client, "operator-admin")
    page = client.get("/console/dead-letters", headers={PEER: "operator-admin"})
    assert INSZ not in page.text and "*****328" in page.text  # the error, redacted
    answer = client.post(
        "/console/dead-letters",
        data={"csrf": csrf, "action": "retry", "entry": [str(first)]},
        headers={PEER: "operator-admin"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/dead-letters?done=retry&count=1"
    assert context.outbox.get(first).status is OutboxStatus.PENDING
    answer = client.post(
        "/console/dead-letters",
        data={"csrf": csrf, "action": "purge", "entry": [str(first), str(second)]},
        headers={PEER: "operator-admin"},
    )
    assert (
        answer.headers["location"] == "/console/dead-letters?done=purge&count=1"
    )  # first is pending
    assert [e.id for e in context.outbox.list()] == [first]
    assert operator_entries(context) == [
        ("console.retry", "retry by operator ann (admin)"),
        ("console.purge", "purge by operator ann (admin)"),
    ]


def test_viewer_and_forged_posts_change_nothing(
    client: TestClient, context: GatewayContext
) -> None:
    entry = dead_letter(context, "m-3")
    viewer_csrf = sign_in(client, "operator-viewer")
    refused = client.post(
        "/console/dead-letters",
        data={"csrf": viewer_csrf, "action": "retry", "entry": [str(entry)]},
        headers={PEER: "operator-viewer"},
    )
    assert refused.status_code == 403 and "role viewer" in refused.text
    sign_in(client, "operator-admin")
    forged = client.post(
        "/console/dead-letters",
        data={"csrf": viewer_csrf, "action": "retry", "entry": [str(entry)]},
        headers={PEER: "operator-admin"},
    )
    assert forged.status_code == 403 and "csrf.mismatch" in forged.text
    assert context.outbox.get(entry).status is OutboxStatus.DEAD
    assert operator_entries(context) == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"action": "explode", "entry": ["1"]}, "Field action"),
        ({"action": "retry", "entry": ["1", "x"]}, "Field entry"),
        ({"action": "retry", "entry": ["-4"]}, "Field entry"),
        ({"action": "retry", "entry": [str(2**63)]}, "Field entry"),
        ({"action": "retry"}, "Select at least one message"),
    ],
)
def test_bad_action_forms_are_a_400_naming_the_field(
    client: TestClient, form: dict[str, object], field: str
) -> None:
    csrf = sign_in(client, "operator-admin")
    answer = client.post(
        "/console/dead-letters", data={"csrf": csrf, **form}, headers={PEER: "operator-admin"}
    )
    assert answer.status_code == 400
    assert field in answer.text


def search(client: TestClient, csrf: str, query: str) -> str:
    answer = client.post(
        "/console/search", data={"csrf": csrf, "q": query}, headers={PEER: "operator-viewer"}
    )
    assert answer.status_code in (200, 400)
    return answer.text


def test_search_by_every_key_and_insz_only_masked(
    client: TestClient, context: GatewayContext
) -> None:
    dead_letter(context, "m-found")
    dead_letter(context, "m-other")
    csrf = sign_in(client, "operator-viewer")
    by_id = search(client, csrf, "m-found")
    assert "/console/messages/m-found" in by_id and "m-other" not in by_id
    assert "/console/messages/m-found" in search(client, csrf, "corr-m-found")
    by_registration = search(client, csrf, f"{REGISTRATION}-m-found")
    assert "/console/messages/m-found" in by_registration and "m-other" not in by_registration
    for typed in (INSZ, "85.07.30-033.28"):
        by_insz = search(client, csrf, typed)
        assert "Messages for INSZ ********328" in by_insz
        assert "/console/messages/m-found" in by_insz and "/console/messages/m-other" in by_insz
        assert INSZ not in by_insz and "85.07.30" not in by_insz
    assert "No message found" in search(client, csrf, "m-nothing")
    assert "check digits are wrong" in search(client, csrf, "85073003329")
    assert "Enter 1 to 255 characters" in search(client, csrf, "<script>")


def test_message_history_and_unknown_message(client: TestClient, context: GatewayContext) -> None:
    dead_letter(context, "m-h")
    sign_in(client, "operator-viewer")
    page = client.get("/console/messages/m-h", headers={PEER: "operator-viewer"})
    assert page.status_code == 200
    assert "accepted" in page.text and 'data-status="dead"' in page.text
    assert (
        client.get("/console/messages/nope", headers={PEER: "operator-viewer"}).status_code == 404
    )


def test_verify_now_finds_an_edited_entry(client: TestClient, context: GatewayContext) -> None:
    dead_letter(context, "m-a")
    dead_letter(context, "m-b")
    csrf = sign_in(client, "operator-viewer")
    intact = client.post(
        "/console/audit/verify", data={"csrf": csrf}, headers={PEER: "operator-viewer"}
    )
    assert 'data-verdict="intact"' in intact.text
    with context.store.transaction() as session:
        session.execute(
            update(AuditEntryRow).where(AuditEntryRow.seq == 1).values(outcome="edited")
        )
    broken = client.post(
        "/console/audit/verify", data={"csrf": csrf}, headers={PEER: "operator-viewer"}
    )
    assert 'data-verdict="broken"' in broken.text
    assert "entry 1: edited" in broken.text


def test_language_switch_is_remembered(client: TestClient) -> None:
    sign_in(client, "operator-viewer")
    french = client.get("/console?lang=fr", headers={PEER: "operator-viewer"})
    assert "<h1>Partenaires</h1>" in french.text
    assert "brug_console_lang=fr" in french.headers["set-cookie"]
    again = client.get("/console", headers={PEER: "operator-viewer"})
    assert '<html lang="fr">' in again.text
    dutch = client.get("/console", headers={PEER: "operator-viewer", "Accept-Language": "nl-BE"})
    assert '<html lang="fr">' in dutch.text  # the switch wins over the browser


def test_vok_list_shows_workers_masked(client: TestClient, context: GatewayContext) -> None:
    worker = next(
        w
        for w in generate(2025, 3000).with_profile("training")
        for r in w.records
        if context.codes.is_training_reason(r.reason.code if r.reason else None)
        and context.codes.is_time_credit(r.category.code)
    )
    record = next(
        r
        for r in worker.records
        if context.codes.is_training_reason(r.reason.code if r.reason else None)
        and context.codes.is_time_credit(r.category.code)
    )
    live = CareerBreakMutation(attest_number="T-console-1", status=AttestStatus.NEW, record=record)
    with context.store.transaction() as tx:
        context.records.add_mutations("push-console", [live], tx=tx)
    sign_in(client, "operator-viewer")
    page = client.get("/console/vok", headers={PEER: "operator-viewer"})
    assert page.status_code == 200
    assert "T-console-1" in page.text
    assert mask_insz(worker.insz) in page.text
    assert worker.insz not in page.text


def test_the_evaluation_page_links_the_report_of_a_school_year(client: TestClient) -> None:
    sign_in(client, "operator-viewer")
    page = client.get("/console/evaluation?schoolYear=2025-2026", headers={PEER: "operator-viewer"})
    assert page.status_code == 200
    assert "/console/evaluation/report?schoolYear=2025-2026" in page.text
    report = client.get(
        "/console/evaluation/report?schoolYear=2025-2026", headers={PEER: "operator-viewer"}
    )
    assert report.status_code == 200
    assert "<svg" in report.text and "<script" not in report.text
    policy = report.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    figures = client.get(
        "/console/evaluation/report?schoolYear=2025-2026&format=json",
        headers={PEER: "operator-viewer"},
    )
    assert figures.json()["schoolYear"] == "2025-2026" or "2025-2026" in figures.text
    assert "attachment" in figures.headers["content-disposition"]


def test_a_malformed_school_year_is_named_not_a_500(client: TestClient) -> None:
    sign_in(client, "operator-viewer")
    page = client.get("/console/evaluation?schoolYear=2025", headers={PEER: "operator-viewer"})
    assert page.status_code == 400
    assert "YYYY-YYYY" in page.text
    report = client.get(
        "/console/evaluation/report?schoolYear=2025-2027", headers={PEER: "operator-viewer"}
    )
    assert report.status_code == 400


def test_the_evaluation_report_needs_a_session(client: TestClient) -> None:
    answer = client.get("/console/evaluation/report?schoolYear=2025-2026", follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert "/console/login" in answer.headers["location"]
