"""The real stack for the browser tests, as processes: ``brug serve`` over TLS with operator
mTLS, the Brussels simulator with fault injection, a Flemish backend over HTTPS, and Debian's
Chromium driven by Playwright (never a downloaded browser build)."""

from __future__ import annotations

import json
import os
import ssl
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.demo.sample import generate
from gateway.demo.stack import demo_config
from gateway.service.rest.resources import record_json, rest_json
from gateway.wssecurity.pki import OPERATOR_SUBJECTS, PkiLayout
from tests.reliability.support import Backend as ReliabilityBackend
from tests.reliability.support import GatewayProcess as Gateway

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

#: Debian's Chromium; BRUG_CHROMIUM names another build of the distribution's.
CHROMIUM = Path(os.environ.get("BRUG_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed ({CHROMIUM}; .ci/install-peers.sh adds it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (the dev extra) is not installed"
    return None


def skip_without_chromium() -> None:
    """Skip the calling test module, with the reason, when the browser cannot run here."""
    import pytest

    missing = chromium_missing()
    if missing is not None:
        pytest.skip(missing, allow_module_level=True)


def console_config(workdir: Path, pki: PkiLayout, port: int, brussels_url: str) -> Path:
    """The demo's brug.toml, served over TLS with client certificates checked against the dev
    CA, and two operators (the dev PKI's operator-admin and operator-viewer)."""
    text = demo_config(workdir, pki, port, brussels_url, "http://127.0.0.1:9/unused")
    p = pki.root
    text = text.replace(
        f"port = {port}\n",
        f'port = {port}\ntls_cert = "{p / "flanders.pem"}"\ntls_key = "{p / "flanders.key"}"\n'
        f'client_ca = "{p / "ca.pem"}"\n',
        1,
    )
    text = text.replace(f"http://127.0.0.1:{port}", f"https://localhost:{port}")
    text = text.replace('"vok:read"]', '"vok:read", "outbox:admin"]')
    text += f"""
[console]
session_lifetime = "10m"

[console.operators.an-admin]
name = "An Admin"
cert_subject = "{OPERATOR_SUBJECTS["operator-admin"]}"
role = "admin"

[console.operators.vic-viewer]
name = "Vic Viewer"
cert_subject = "{OPERATOR_SUBJECTS["operator-viewer"]}"
role = "viewer"
"""
    path = workdir / "brug.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Backend(ReliabilityBackend):
    """A Flemish backend over HTTPS: the reliability tests' token, then registrations."""

    def __init__(self, url: str, pki: PkiLayout) -> None:
        context = ssl.create_default_context(cafile=str(pki.ca_cert))
        super().__init__(url, pki, "vov:read vov:write", verify=context)

    def submit(self, count: int, *, seed: int) -> list[tuple[str, str]]:
        """Post ``count`` valid registrations for Brussels; (message id, INSZ) of each."""
        sample = generate(count * 4 + 20, seed=seed)
        chosen = [
            item
            for item in sample.items
            if item.defect is None
            and item.registration["establishment_unit"]["region"] == "brussels"
        ][:count]
        accepted: list[tuple[str, str]] = []
        for item in chosen:
            body = {
                **rest_json(item.registration),
                "course": record_json(sample.courses[item.odb_number]),
            }
            answer = self.http.post(
                "/v1/vov-registrations",
                content=json.dumps(body),
                headers={
                    "Authorization": f"Bearer {self.token()}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            assert answer.status_code == 202, answer.text
            accepted.append((str(answer.json()["messageId"]), item.registration["worker"]["insz"]))
        assert len(accepted) == count, f"only {len(accepted)} of {count} in the sample"
        return accepted


def new_context(
    browser: Browser,
    gateway: Gateway,
    pki: PkiLayout,
    operator: str | None,
    **options: Any,
) -> BrowserContext:
    """A browser profile presenting ``operator``'s certificate (None: no certificate). The dev
    CA is not in Chromium's trust store, hence ``ignore_https_errors`` (the gateway's side of
    TLS is not what these tests check)."""
    certificates = (
        []
        if operator is None
        else [
            {
                "origin": gateway.url,
                "certPath": str(pki[operator].cert),
                "keyPath": str(pki[operator].key),
            }
        ]
    )
    return browser.new_context(
        base_url=gateway.url,
        ignore_https_errors=True,
        client_certificates=certificates,  # type: ignore[arg-type]
        **options,
    )
