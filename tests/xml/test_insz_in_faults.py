"""An INSZ is masked by value in XSD violations and SOAP faults, whatever element holds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.soap.faults import fault_envelope
from gateway.xml import schemas

ROOT = Path(__file__).resolve().parents[2]
INSZ = "85073003328"  # valid check digits (domain.md's example worker)


def test_an_insz_in_a_kbo_element_is_masked_in_the_xsd_violation() -> None:
    text = (ROOT / "examples" / "bev-record-v1.xml").read_text(encoding="utf-8")
    bad = text.replace("<numeroBce>0403170701</numeroBce>", f"<numeroBce>{INSZ}</numeroBce>")
    with pytest.raises(BrugValidationError) as info:
        schemas.validate("bev-record-v1", bad.encode())
    rendered = repr(info.value.violations)
    assert INSZ not in rendered
    assert any("numeroBce" in v.path for v in info.value.violations)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_fault_never_carries_an_insz_or_a_character_xml_cannot_hold(version: str) -> None:
    violation = Violation("/x/reference", "some.rule", f"reference {INSZ} unknown\x01", INSZ)
    raw = fault_envelope(
        version,  # type: ignore[arg-type]
        "sender",
        f"refused {INSZ}",
        context="test",
        violations=[violation],
    )
    assert INSZ.encode() not in raw
    assert b"*******" in raw or b"328" in raw  # masked, last digits kept
    etree.fromstring(raw)  # it renders and parses
