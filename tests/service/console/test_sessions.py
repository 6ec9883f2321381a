"""Console sessions: signed, timed, bound to the certificate; roles read from configuration."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography import x509

from gateway.config.sections import ConsoleConfig
from gateway.service.console.sessions import Sessions, operator_for_certificate
from gateway.wssecurity.pki import OPERATOR_SUBJECTS, PkiLayout, init_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("console-pki"))


def cert(pki: PkiLayout, name: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(pki[name].cert).read_bytes())


def config(**extra: object) -> ConsoleConfig:
    return ConsoleConfig.model_validate(
        {
            "operators": {
                "ann": {"cert_subject": OPERATOR_SUBJECTS["operator-admin"], "role": "admin"},
                "vic": {"cert_subject": OPERATOR_SUBJECTS["operator-viewer"]},
            },
            **extra,
        }
    )


def test_certificates_map_to_operators(pki: PkiLayout) -> None:
    assert operator_for_certificate(cert(pki, "operator-admin"), config()) == "ann"
    assert operator_for_certificate(cert(pki, "operator-viewer"), config()) == "vic"
    assert operator_for_certificate(cert(pki, "flanders"), config()) is None  # a REST client's
    assert operator_for_certificate(cert(pki, "expired"), config()) is None


def test_a_session_reads_back_and_carries_a_csrf_token(pki: PkiLayout) -> None:
    sessions = Sessions(config())
    admin = cert(pki, "operator-admin")
    session = sessions.read(sessions.issue("ann", admin), admin)
    assert session is not None
    assert session.operator.is_admin and session.operator.id == "ann"
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok("forged") and not session.csrf_ok(None)


def test_forged_expired_foreign_or_orphaned_sessions_are_refused(pki: PkiLayout) -> None:
    sessions = Sessions(config(session_lifetime="1s"))
    admin = cert(pki, "operator-admin")
    cookie = sessions.issue("ann", admin)
    assert sessions.read(cookie[:-2] + "xx", admin) is None  # signature broken
    assert sessions.read(Sessions(config()).issue("ann", admin), admin) is None  # other key
    assert sessions.read(cookie, cert(pki, "operator-viewer")) is None  # another certificate
    removed = Sessions(config(session_lifetime="1s"))
    assert removed.read(removed.issue("gone", admin), admin) is None  # not an operator
    time.sleep(2.1)
    assert sessions.read(cookie, admin) is None  # expired


def test_the_role_comes_from_the_configuration_not_the_cookie(pki: PkiLayout) -> None:
    key = {"session_key": "k" * 32}
    viewer_cert = cert(pki, "operator-viewer")
    cookie = Sessions(config(**key)).issue("vic", viewer_cert)
    promoted = config(
        **key,
        operators={"vic": {"cert_subject": OPERATOR_SUBJECTS["operator-viewer"], "role": "admin"}},
    )
    session = Sessions(promoted).read(cookie, viewer_cert)
    assert session is not None and session.operator.is_admin


def test_the_cookie_is_httponly_secure_strict_and_short(pki: PkiLayout) -> None:
    header = Sessions(config(session_lifetime="15m")).cookie_header("v")
    assert "HttpOnly" in header and "Secure" in header and "SameSite=Strict" in header
    assert "Max-Age=900" in header and "Path=/console" in header
