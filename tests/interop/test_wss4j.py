"""brug's WS-Security layer against Apache WSS4J 1.6, in both directions.

WSS4J is what MAGDA's connector (and most Java SOAP stacks of the KSZ generation) run, so these
tests answer the two questions a partner asks: "will brug accept what my WSS4J sends?" and "will
my WSS4J accept what brug sends?". Each test drives a real JVM running ``java/WssHarness.java``;
nothing about the peer is mocked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.interop.peers import (
    SOAP11,
    SOAP12,
    WSSE,
    WSU,
    Wss4j,
    envelope,
    tamper_body,
)

pytestmark = pytest.mark.interop

FLANDERS_CN = "0316381039"  # gateway.wssecurity.pki.FLANDERS_KBO: MAGDA puts the KBO number in CN
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

# What WSS4J puts under each harness profile (see WssHarness.Profile).
WSS4J_PARTS = {
    "ksz": {"Body", "Timestamp", "BinarySecurityToken"},
    "strict": {"Body", "Timestamp", "BinarySecurityToken"},
    "magda": {"Body"},
}


def _wss4j_signed(wss4j: Wss4j, tmp_path: Path, profile: str, soap_ns: str, **kw: Any) -> bytes:
    src = tmp_path / "request.xml"
    src.write_bytes(envelope(soap_ns))
    party = kw.pop("party", "flanders")
    return wss4j.sign(profile, party, src, tmp_path / "signed.xml", **kw).read_bytes()


# --------------------------------------------------------------------------- WSS4J -> brug


@pytest.mark.parametrize("profile", ["ksz", "magda", "strict"])
def test_wss4j_signed_message_is_accepted_by_brug(
    wss4j: Wss4j,
    make_verifier: Callable[..., Any],
    tmp_path: Path,
    profile: str,
    soap_ns: str,
) -> None:
    signed = _wss4j_signed(wss4j, tmp_path, profile, soap_ns)
    if profile == "magda":  # the token really is a PKIPath carrying the chain
        assert b"X509PKIPathv1" in signed
        assert b"rsa-sha1" in signed

    verified = make_verifier(profile).verify(signed)

    assert WSS4J_PARTS[profile] <= set(verified.signed_parts)
    assert verified.signature_algorithm == ("rsa-sha1" if profile == "magda" else "rsa-sha256")
    assert FLANDERS_CN in verified.certificate.subject.rfc4514_string()
    assert b"hallo Brussel" in _body_bytes(verified.body)


@pytest.mark.parametrize("profile", ["ksz", "magda"])
def test_wss4j_signed_message_with_tampered_body_is_refused_by_brug(
    wss4j: Wss4j,
    make_verifier: Callable[..., Any],
    tmp_path: Path,
    profile: str,
    soap_ns: str,
) -> None:
    from gateway.wssecurity import WSSecurityFault

    signed = _wss4j_signed(wss4j, tmp_path, profile, soap_ns)
    with pytest.raises(WSSecurityFault) as exc:
        make_verifier(profile).verify(tamper_body(signed))
    assert exc.value.code == "wsse:FailedCheck"


def test_wss4j_magda_message_is_refused_under_ksz(
    wss4j: Wss4j, make_verifier: Callable[..., Any], tmp_path: Path
) -> None:
    """RSA-SHA1 without a Timestamp is MAGDA's dialect only: the KSZ profile must say no."""
    from gateway.wssecurity import WSSecurityFault

    signed = _wss4j_signed(wss4j, tmp_path, "magda", SOAP11)
    make_verifier("magda").verify(signed)  # valid under its own profile...
    with pytest.raises(WSSecurityFault):  # ...and not under another partner's
        make_verifier("ksz").verify(signed)


def test_wss4j_message_from_untrusted_ca_is_refused_by_brug(
    wss4j: Wss4j, make_verifier: Callable[..., Any], tmp_path: Path
) -> None:
    from gateway.wssecurity import WSSecurityFault

    signed = _wss4j_signed(wss4j, tmp_path, "ksz", SOAP11, party="untrusted")
    with pytest.raises(WSSecurityFault) as exc:
        make_verifier("ksz").verify(signed)
    assert exc.value.code in {"wsse:FailedAuthentication", "wsse:InvalidSecurityToken"}


def test_wss4j_message_replayed_is_refused_by_brug(
    wss4j: Wss4j, make_verifier: Callable[..., Any], tmp_path: Path
) -> None:
    from gateway.wssecurity import InMemoryReplayCache, WSSecurityFault

    signed = _wss4j_signed(wss4j, tmp_path, "ksz", SOAP11)
    verifier = make_verifier("ksz", replay_cache=InMemoryReplayCache())
    verifier.verify(signed)
    with pytest.raises(WSSecurityFault):
        verifier.verify(signed)


def test_wss4j_message_verified_too_late_is_refused_by_brug(
    wss4j: Wss4j, make_verifier: Callable[..., Any], tmp_path: Path
) -> None:
    """WSS4J's Timestamp format (millisecond precision, Z) is parsed and enforced by brug."""
    from datetime import UTC, datetime, timedelta

    from gateway.wssecurity import WSSecurityFault

    signed = _wss4j_signed(wss4j, tmp_path, "ksz", SOAP11)
    later = datetime.now(UTC) + timedelta(minutes=10)
    with pytest.raises(WSSecurityFault) as exc:
        make_verifier("ksz", clock=lambda: later).verify(signed)
    assert exc.value.code == "wsu:MessageExpired"


# --------------------------------------------------------------------------- brug -> WSS4J


BRUG_CASES = [
    # profile, party, pkcs12 key material, expected signature method
    pytest.param("ksz", "flanders", False, RSA_SHA256, id="ksz"),
    pytest.param("magda", "flanders", True, None, id="magda"),
    pytest.param("strict", "flanders", False, RSA_SHA256, id="strict"),
    pytest.param("strict", "ecdsa", False, ECDSA_SHA256, id="strict-ecdsa"),
]


@pytest.mark.parametrize(("profile", "party", "pkcs12", "method"), BRUG_CASES)
def test_brug_signed_message_is_accepted_by_wss4j(
    wss4j: Wss4j,
    make_signer: Callable[..., Any],
    tmp_path: Path,
    soap_ns: str,
    profile: str,
    party: str,
    pkcs12: bool,
    method: str | None,
) -> None:
    from gateway.wssecurity import load_profile

    signed = make_signer(profile, party, pkcs12=pkcs12).sign(envelope(soap_ns))
    path = tmp_path / "brug-signed.xml"
    path.write_bytes(signed)

    res = wss4j.verify(path)

    assert res.ok, f"WSS4J refused brug's {profile} message: {res.stderr.strip()}"
    report = res.report
    expected_parts = set(load_profile(profile).sign_parts)
    assert expected_parts <= res.signed_part_names
    assert report["c14n"] == EXC_C14N
    assert report["reference_type"] == "DIRECT_REF"
    if method is not None:
        assert report["signature_method"] == method
    if "Timestamp" in expected_parts:
        assert report["timestamp"] is True
    if profile == "magda":  # X509PKIPathv1: WSS4J rebuilt the whole chain from the token
        assert report["chain_length"] >= 2
    soap_parts = [p for p in report["signed_parts"] if p["name"] == "Body"]
    assert soap_parts[0]["ns"] == soap_ns


def test_brug_signed_message_passes_wss4j_subject_constraint(
    wss4j: Wss4j, make_signer: Callable[..., Any], tmp_path: Path
) -> None:
    """A WSS4J peer pinning our CN (as MAGDA pins the KBO number) accepts us, and only us."""
    path = tmp_path / "brug-signed.xml"
    path.write_bytes(make_signer("ksz").sign(envelope(SOAP11)))
    assert wss4j.verify(path, subject_regex=f".*CN={FLANDERS_CN}.*").ok
    refused = wss4j.verify(path, subject_regex=".*CN=0000000000.*")
    assert not refused.ok
    assert "FailedAuthentication" in refused.stderr


@pytest.mark.parametrize("profile", ["ksz", "magda"])
def test_brug_signed_message_with_tampered_body_is_refused_by_wss4j(
    wss4j: Wss4j, make_signer: Callable[..., Any], tmp_path: Path, soap_ns: str, profile: str
) -> None:
    signed = make_signer(profile, pkcs12=profile == "magda").sign(envelope(soap_ns))
    path = tmp_path / "tampered.xml"
    path.write_bytes(tamper_body(signed))
    res = wss4j.verify(path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "FailedCheck" in res.stderr


def test_brug_signed_message_from_untrusted_ca_is_refused_by_wss4j(
    wss4j: Wss4j, make_signer: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "untrusted.xml"
    path.write_bytes(make_signer("ksz", "untrusted").sign(envelope(SOAP11)))
    res = wss4j.verify(path)
    assert res.returncode == 2
    assert "FailedAuthentication" in res.stderr


# --------------------------------------------------------------------------- harness


def test_wss4j_bench_reports_rates(pki_dir: Path, wss4j: Wss4j, tmp_path: Path) -> None:
    """benchmarks/_wss4j.py drives the same harness; a tiny run keeps it from rotting."""
    from benchmarks._wss4j import wss4j_rates

    src = tmp_path / "request.xml"
    src.write_bytes(envelope(SOAP11))
    rates = wss4j_rates(src, pki_dir, 20)
    assert rates is not None
    signs, verifies = rates
    assert signs > 0
    assert verifies > 0


def test_wss4j_reads_brug_pkcs12_and_its_own_output(wss4j: Wss4j, tmp_path: Path) -> None:
    """Harness self-check, so a failure above is brug's and not the harness's."""
    for profile in ("ksz", "magda"):
        signed = _wss4j_signed(wss4j, tmp_path, profile, SOAP12)
        assert f'xmlns:wsse="{WSSE}"'.encode() in signed
        assert f'xmlns:wsu="{WSU}"'.encode() in signed or profile == "magda"
        res = wss4j.verify(tmp_path / "signed.xml")
        assert res.ok, res.stderr
        assert res.signed_part_names == WSS4J_PARTS[profile]


def _body_bytes(body: Any) -> bytes:
    """VerifiedMessage.body as bytes, whether it is an lxml element or already serialised."""
    if isinstance(body, bytes):
        return body
    from lxml import etree

    return etree.tostring(body, encoding="utf-8")
