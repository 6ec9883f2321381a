"""XML Signature wrapping and comment injection: the signature stays valid, brug still refuses.

The attacker here holds no key: every variant keeps the original, valid SignedInfo and moves or
duplicates signed elements so that a naive verifier checks one element while the application
reads another.
"""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from gateway.wssecurity import WSSecurityFault
from gateway.wssecurity.ns import SOAP11, WSSE, WSU

FAKE = '<m:AanvraagVOV xmlns:m="urn:brug:test"><m:Uren>999</m:Uren></m:AanvraagVOV>'


def _refused(kit, root, match):
    with pytest.raises(WSSecurityFault) as info:
        kit.verify(etree.tostring(root))
    assert info.value.code == "wsse:InvalidSecurity", info.value
    assert match in info.value.reason, info.value.reason


def _fake_body(root, keep_id: bool):
    body = root.find(f"{{{SOAP11}}}Body")
    fake = etree.fromstring(f'<soap:Body xmlns:soap="{SOAP11}">{FAKE}</soap:Body>')
    if keep_id:
        fake.set(f"{{{WSU}}}Id", body.get(f"{{{WSU}}}Id"))
    return body, fake


def test_duplicate_id(kit, tools):
    root = tools.parse(kit.sign())
    body, fake = _fake_body(root, keep_id=True)
    header = root.find(f"{{{SOAP11}}}Header")
    wrapper = etree.SubElement(header, "{urn:evil}Wrapper")
    root.replace(body, fake)
    wrapper.append(body)
    _refused(kit, root, "more than once")


def test_duplicate_id_on_any_id_attribute(kit, tools):
    root = tools.parse(kit.sign())
    body_id = root.find(f"{{{SOAP11}}}Body").get(f"{{{WSU}}}Id")
    extra = etree.SubElement(root.find(f"{{{SOAP11}}}Header"), "{urn:evil}X")
    extra.set("Id", body_id)
    _refused(kit, root, "more than once")


def test_body_moved_into_header_wrapper_with_fake_body(kit, tools):
    root = tools.parse(kit.sign())
    body, fake = _fake_body(root, keep_id=False)
    wrapper = etree.SubElement(root.find(f"{{{SOAP11}}}Header"), "{urn:evil}Wrapper")
    root.replace(body, fake)
    wrapper.append(body)
    _refused(kit, root, "outside the positions")


def test_body_moved_to_header_block_with_fake_body(kit, tools):
    """The signed Body becomes a header block itself: it is then not THE Body."""
    root = tools.parse(kit.sign())
    body, fake = _fake_body(root, keep_id=False)
    root.replace(body, fake)
    root.find(f"{{{SOAP11}}}Header").append(body)
    # two soap:Body elements are not both Envelope children; the original is now a header
    _refused(kit, root, "requires Body")


def test_body_moved_into_security_header(kit, tools):
    root = tools.parse(kit.sign())
    body, fake = _fake_body(root, keep_id=False)
    root.replace(body, fake)
    root.find(f"{{{SOAP11}}}Header/{{{WSSE}}}Security").append(body)
    _refused(kit, root, "outside the positions")


def test_second_body_in_envelope(kit, tools):
    root = tools.parse(kit.sign())
    _, fake = _fake_body(root, keep_id=False)
    root.insert(1, fake)
    _refused(kit, root, "exactly one Body")


def test_extra_security_header(kit, tools):
    root = tools.parse(kit.sign())
    header = root.find(f"{{{SOAP11}}}Header")
    header.append(etree.Element(f"{{{WSSE}}}Security"))
    _refused(kit, root, "found 2")


def test_extra_security_header_for_next_actor_counts(kit, tools):
    root = tools.parse(kit.sign())
    header = root.find(f"{{{SOAP11}}}Header")
    extra = etree.SubElement(header, f"{{{WSSE}}}Security")
    extra.set(f"{{{SOAP11}}}actor", "http://schemas.xmlsoap.org/soap/actor/next")
    _refused(kit, root, "found 2")


def test_signed_timestamp_moved_into_wrapper(kit, tools):
    """An old signed Timestamp moved aside, a fresh unsigned one put in its place."""
    root = tools.parse(kit.sign())
    sec = root.find(f"{{{SOAP11}}}Header/{{{WSSE}}}Security")
    ts = sec.find(f"{{{WSU}}}Timestamp")
    fresh = copy.deepcopy(ts)
    del fresh.attrib[f"{{{WSU}}}Id"]
    sec.replace(ts, fresh)
    wrapper = etree.SubElement(root.find(f"{{{SOAP11}}}Header"), "{urn:evil}Wrapper")
    wrapper.append(ts)
    _refused(kit, root, "outside the positions")


def test_signed_timestamp_moved_to_header(kit, tools):
    root = tools.parse(kit.sign())
    sec = root.find(f"{{{SOAP11}}}Header/{{{WSSE}}}Security")
    ts = sec.find(f"{{{WSU}}}Timestamp")
    fresh = copy.deepcopy(ts)
    del fresh.attrib[f"{{{WSU}}}Id"]
    sec.replace(ts, fresh)
    root.find(f"{{{SOAP11}}}Header").append(ts)
    _refused(kit, root, "requires Timestamp")


def test_token_from_another_security_header_refused(kit, tools):
    root = tools.parse(kit.sign())
    header = root.find(f"{{{SOAP11}}}Header")
    sec = header.find(f"{{{WSSE}}}Security")
    bst = sec.find(f"{{{WSSE}}}BinarySecurityToken")
    other = etree.SubElement(header, f"{{{WSSE}}}Security")
    other.set(f"{{{SOAP11}}}actor", "urn:someone-else")
    other.append(bst)
    with pytest.raises(WSSecurityFault) as info:
        kit.verify(etree.tostring(root))
    assert info.value.code in ("wsse:InvalidSecurity", "wsse:InvalidSecurityToken")


def test_comment_injection_does_not_change_what_brug_reads(kit, tools):
    """``user@user.com<!---->.evil.com`` canonicalises to the signed text; brug reads that."""
    data = kit.sign()
    injected = data.replace(b"user@user.com.evil.com", b"user@user.com<!---->.evil.com")
    assert injected != data
    naive = tools.parse(injected).find(".//m:Email", tools.NS)
    assert naive.text == "user@user.com"  # what a naive application would read
    msg = kit.verify(injected)
    assert msg.body.findtext(".//m:Email", namespaces=tools.NS) == "user@user.com.evil.com"
    assert msg.envelope.findtext(".//m:Email", namespaces=tools.NS) == "user@user.com.evil.com"


def test_body_is_reparsed_from_signed_bytes(kit, tools):
    """Whatever is not in the canonical form (comments, PIs in content) is not in the Body."""
    data = kit.sign().replace(b"<m:Uren>", b"<m:Uren><!--note-->")
    msg = kit.verify(data)
    assert not any(isinstance(n, etree._Comment) for n in msg.body.iter())
