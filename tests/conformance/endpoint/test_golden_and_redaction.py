"""The golden corpus agrees with the schemas; reports never show secrets or a full INSZ."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance.endpoint import check_corpus
from conformance.endpoint.catalogue import GOLDEN_DIR
from conformance.endpoint.redact import redact, redact_bytes
from conformance.endpoint.wsdl import wsdl_difference
from gateway.xml import schemas


def test_every_golden_message_agrees_with_its_schema() -> None:
    results = check_corpus()
    bad = [f"{r.path}: {r.detail}" for r in results if not r.ok]
    assert not bad, "\n".join(bad)
    assert sum(r.expected_valid for r in results) >= 30
    assert sum(not r.expected_valid for r in results) >= 15


def test_every_schema_with_message_roots_has_valid_and_invalid_golden_messages() -> None:
    for info in schemas.list_schemas():
        if not info.roots:
            continue
        assert any((GOLDEN_DIR / info.name / "valid").glob("*.xml")), info.name
        assert any((GOLDEN_DIR / info.name / "invalid").glob("*.xml")), info.name


def test_a_golden_message_that_disagrees_is_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "golden"
    shutil.copytree(GOLDEN_DIR / "bev-record-v2", corpus / "bev-record-v2")
    shutil.copy(
        GOLDEN_DIR / "bev-record-v2/invalid/removed-reason.xml",
        corpus / "bev-record-v2/valid/sneaked-in.xml",
    )
    (corpus / "bev-record-v2/valid/record.xml").rename(corpus / "bev-record-v2/valid/gone.xml")
    details = {r.path.name: r.detail for r in check_corpus(corpus) if not r.ok}
    assert details == {
        "sneaked-in.xml": "not in golden.yaml",
        "record.xml": "listed but missing",
        "gone.xml": "not in golden.yaml",
    }


TOKEN = "MIIDazCCAlOgAwIBAgIUB" + "A" * 900
SIGNATURE = "kT3x" * 80


def test_tokens_signatures_keys_and_insz_are_redacted() -> None:
    text = (
        f'<wsse:BinarySecurityToken ValueType="x">{TOKEN}</wsse:BinarySecurityToken>'
        f"<ds:SignatureValue>\n{SIGNATURE}\n</ds:SignatureValue>"
        "<niss>85071412330</niss> fault: value '85071412330' is not valid"
        "\n-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----"
        "<messageId>3f6c1e2a-5b7d-4c8e-9a1b-000000000007</messageId>"
    )
    out = redact(text)
    assert TOKEN not in out and TOKEN[:12] in out and f"[{len(TOKEN)} chars]" in out
    assert SIGNATURE not in out
    assert "85071412330" not in out and "********330" in out
    assert "PRIVATE KEY" not in out and "[private key removed]" in out
    assert "000000000007" in out  # a UUID is not an INSZ


def test_a_cut_never_leaves_a_token_or_an_insz_whole() -> None:
    data = (b"<x>" + b"a" * 100 + b"</x><wsse:BinarySecurityToken>" + TOKEN.encode() * 20).ljust(
        50_000, b"9"
    )
    out = redact_bytes(data, limit=300)
    assert TOKEN not in out and "99999999999" not in out
    assert "50000 bytes in all" in out


@pytest.mark.parametrize("name", sorted(schemas.wsdls()))
def test_a_served_wsdl_differs_only_where_deployments_may(name: str) -> None:
    published = schemas.wsdl_path(name).read_bytes()
    served = (
        published.replace(b'location="https://', b'location="http://127.0.0.1:9/x/')
        .replace(b'schemaLocation="../', b'schemaLocation="http://127.0.0.1:9/schemas/')
        .replace(b"<wsdl:types>", b"<wsdl:types>\n\n  <!-- served -->")
    )
    assert wsdl_difference(published, served) is None
    changed = published.replace(b'<wsdl:operation name="', b'<wsdl:operation name="X', 1)
    difference = wsdl_difference(published, changed)
    assert difference is not None and 'name="X' in difference
