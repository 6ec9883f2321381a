"""Fault rendering: SOAP 1.1 faultcode, SOAP 1.2 Sender + Subcode, no key material."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.wssecurity import WSSecurityFault
from gateway.wssecurity.ns import SOAP11, SOAP12, WSSE, WSU


def test_soap11_fault():
    fault = WSSecurityFault("wsse:FailedCheck", "the digest of the signed Body does not match")
    root = etree.fromstring(fault.to_soap_fault("1.1"))
    f = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    code = f.findtext("faultcode")
    assert code == "wsse:FailedCheck"
    assert f.find("faultcode").nsmap["wsse"] == WSSE
    assert "digest" in f.findtext("faultstring")


def test_soap12_fault_with_subcode():
    fault = WSSecurityFault("wsu:MessageExpired", "Timestamp expired")
    root = etree.fromstring(fault.to_soap_fault("1.2"))
    code = root.find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault/{{{SOAP12}}}Code")
    assert code.findtext(f"{{{SOAP12}}}Value") == "env:Sender"
    sub = code.find(f"{{{SOAP12}}}Subcode/{{{SOAP12}}}Value")
    assert sub.text == "wsu:MessageExpired"
    assert sub.nsmap["wsu"] == WSU
    assert fault.qname == f"{{{WSU}}}MessageExpired"


def test_unknown_code_refused():
    with pytest.raises(ValueError):
        WSSecurityFault("wsse:Oops", "x")


def test_fault_from_verification_carries_no_key_material(kit, pki):
    data = kit.sign(party="untrusted")
    with pytest.raises(WSSecurityFault) as info:
        kit.verify(data)
    text = info.value.to_soap_fault("1.1").decode()
    assert "PRIVATE" not in text and "MII" not in text
    assert info.value.code in text
