"""Every way the gateway refuses a request is a proper SOAP Fault naming the rule.

Never an HTTP 500 page or a traceback; WS-Security failures carry their ``wsse:*`` code, bad
XML and schema violations a ``gw:ValidationFault`` listing every violation, authorisation the
``auth.*`` rule. SOAP 1.1 sends faults with 500, SOAP 1.2 with 400 (Sender) as the SOAP
bindings require.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import etree

from gateway.soap.envelope import build_envelope, request_headers
from tests.service.soap.support import (
    ACTION,
    MAX_BODY_BYTES,
    Gateway,
    example,
    fault,
    gw,
    lookup,
    old_clock,
    rules,
    set_party,
    status_request,
    submit_bev,
)


def test_a_partner_calling_an_operation_not_granted_to_it_is_refused(gateway: Gateway) -> None:
    # federal is a configured, verified partner, but SubmitBevRecord is Brussels' operation
    message = set_party(
        example("bev-record-v1.xml", purpose="CAREER_BREAK_MUTATION"), "sender", "federal-rva"
    )
    found = fault(gateway.call("federal", submit_bev(message), "SubmitBevRecord"))
    assert found.is_sender_fault and found.codes == ("Client",)
    assert rules(found) == {"auth.operation"}
    assert "not allowed for partner federal" in found.reason


def test_a_purpose_the_partner_may_not_state_is_refused(gateway: Gateway) -> None:
    found = fault(gateway.call("brussels", lookup("CE-100234", "VOK_AUTOMATION"), "Lookup"))
    assert rules(found) == {"auth.purpose"} and "VOK_AUTOMATION" in found.reason


def test_a_missing_purpose_is_refused_by_the_schema(gateway: Gateway) -> None:
    request = lookup("CE-100234")
    purpose = request.find(".//{urn:be:brug:header:1}purpose")
    assert purpose is not None
    purpose.getparent().remove(purpose)  # type: ignore[union-attr]
    found = fault(gateway.call("brussels", request, "LookupOdbCourse"))
    assert found.is_sender_fault and found.violations
    assert any("purpose" in v.message for v in found.violations)


@pytest.mark.parametrize(
    ("party", "code"),
    [
        ("untrusted", "wsse:FailedAuthentication"),  # another CA, pinned for nobody
        ("expired", "wsse:FailedAuthentication"),
        ("flanders", "wsse:FailedAuthentication"),  # trusted CA, but not a partner's cert
    ],
)
def test_a_certificate_pinned_for_no_partner_is_refused(
    gateway: Gateway, party: str, code: str
) -> None:
    envelope = build_envelope(lookup("CE-100234"))
    signed = gateway.signer(party, "strict").sign(envelope)
    found = fault(gateway.post(signed, "LookupOdbCourse"))
    assert found.code == code and found.is_security_fault


def test_an_unsigned_request_is_refused(gateway: Gateway) -> None:
    found = fault(gateway.post(build_envelope(lookup("CE-100234")), "LookupOdbCourse"))
    assert found.code == "wsse:InvalidSecurity"


def test_a_partner_signing_under_another_profile_than_its_own_is_refused(
    gateway: Gateway,
) -> None:
    # federal must sign per ksz; a magda-style PKIPath token is not what its profile accepts
    signed = gateway.signer("federal", "magda").sign(build_envelope(lookup("CE-100234")))
    found = fault(gateway.post(signed, "GetMessageStatus"))
    assert found.is_security_fault


def test_a_tampered_body_fails_the_check(gateway: Gateway) -> None:
    signed = gateway.sign("brussels", lookup("CE-100234"))
    tampered = signed.replace(b"CE-100234", b"CE-100235")
    found = fault(gateway.post(tampered, "LookupOdbCourse"))
    assert found.code == "wsse:FailedCheck"


def test_an_expired_timestamp_is_message_expired(gateway: Gateway) -> None:
    stale = gateway.signer("brussels", clock=old_clock())
    found = fault(gateway.post(stale.sign(build_envelope(lookup("CE-100234"))), "Lookup"))
    assert found.code == "wsu:MessageExpired" and not found.is_sender_fault  # re-sign, retry


def test_the_same_signed_bytes_twice_is_a_replay(gateway: Gateway) -> None:
    signed = gateway.sign("brussels", lookup("CE-100234"))
    assert gateway.post(signed, "LookupOdbCourse").status_code == 200
    found = fault(gateway.post(signed, "LookupOdbCourse"))
    assert found.code == "wsse:InvalidSecurity" and "replay" in found.reason


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'>", None),
        (
            b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<e>&x;</e>",
            "xml.dtd",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>',
            "xml.dtd",
        ),
        (b"<a>" * 200 + b"</a>" * 200, "xml.depth"),
        # 180 kB, under the size cap: counted on the bytes, refused before any tree is built
        (b"<a>" + b"x/>" * 60_000 + b"</a>", "xml.elements"),
        (b"<notSoap/>", "soap.envelope"),
    ],
    ids=["malformed", "xxe", "entity-bomb", "too-deep", "too-many-elements", "not-an-envelope"],
)
def test_unsafe_or_malformed_xml_is_a_client_fault(
    gateway: Gateway, body: bytes, rule: str | None
) -> None:
    found = fault(gateway.post(body, "LookupOdbCourse"))
    assert found.codes == ("Client",) and found.is_sender_fault
    if rule is not None:
        assert rule in rules(found)
    else:
        assert rules(found) == {"xml.well-formed"}


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_request_is_refused_before_parsing(gateway: Gateway, declared: bool) -> None:
    big = b"<x>" + b"a" * (MAX_BODY_BYTES + 10) + b"</x>"
    content: bytes | object = big if declared else iter([big[:1000], big[1000:]])
    response = httpx.post(
        gateway.url,
        content=content,  # type: ignore[arg-type]
        headers=request_headers("1.2", ACTION + "LookupOdbCourse"),
        timeout=10,
    )
    assert response.status_code == 400  # SOAP 1.2 Sender fault
    found = fault(response)
    assert found.version == "1.2" and found.codes[0] == "Sender"
    assert rules(found) == {"xml.size"}


def test_a_schema_invalid_payload_lists_every_violation(gateway: Gateway) -> None:
    request = lookup("not-an-odb-number")
    header = request.find("{urn:be:brug:header:1}header")
    assert header is not None
    header.find("{urn:be:brug:header:1}messageId").text = "not-a-uuid"  # type: ignore[union-attr]
    etree.SubElement(request, gw("unexpected")).text = "x"
    found = fault(gateway.call("brussels", request, "LookupOdbCourse", "1.2"))
    assert found.version == "1.2" and found.codes[0] == "Sender"
    assert found.context and "gateway-service-v1" in found.context
    assert len(found.violations) >= 3, found.violations


def test_a_body_with_no_operation_of_this_service_is_refused(gateway: Gateway) -> None:
    other = etree.Element("{urn:example}Something")
    found = fault(gateway.call("brussels", other, "Something"))
    assert rules(found) == {"soap.operation"}


def test_soap_12_faults_are_sent_with_400(gateway: Gateway) -> None:
    signed = gateway.signer("untrusted", "strict").sign(build_envelope(lookup("CE-1000"), "1.2"))
    response = gateway.post(signed, "LookupOdbCourse", "1.2")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/soap+xml")
    found = fault(response)
    assert found.subcode == "wsse:FailedAuthentication"


def test_a_bev_record_breaking_its_own_schema_is_refused_by_the_service_schema(
    gateway: Gateway,
) -> None:
    # The handler reads the record without re-running the BEV XSD (schema_checked=True): this
    # holds only because gateway-service-v1 validates the BEV message strictly. Prove it.
    message = example("bev-record-v1.xml")
    niss = message.find(".//{urn:be:brug:brussels:bev-record:1}niss")
    assert niss is not None
    etree.SubElement(niss.getparent(), "{urn:be:brug:brussels:bev-record:1}inconnu").text = "x"
    found = fault(gateway.call("brussels", submit_bev(message), "SubmitBevRecord"))
    assert found.is_sender_fault and found.context and "gateway-service-v1" in found.context
    assert any("inconnu" in (v.message or "") for v in found.violations), found.violations


# -- the brug header is bound to the verified partner (issue 12) ----------------------------


def test_a_partner_cannot_send_in_another_partners_name(gateway: Gateway) -> None:
    # brussels' signature verifies, but the header claims the federal RVA sent it
    message = set_party(example("bev-record-v1.xml"), "sender", "federal-rva")
    found = fault(gateway.call("brussels", submit_bev(message), "SubmitBevRecord"))
    assert found.is_sender_fault and found.codes == ("Client",)
    assert rules(found) == {"header.sender"}
    assert "brussels: brussels-bee" in found.reason
    # nothing was stored: the same message id in Brussels' own name is then accepted
    set_party(message, "sender", "brussels-bee")
    again = gateway.call("brussels", submit_bev(message), "SubmitBevRecord")
    assert again.status_code == 200 and b"accepted" in again.content


def test_a_message_addressed_to_someone_else_is_refused(gateway: Gateway) -> None:
    message = set_party(example("bev-record-v1.xml"), "recipient", "brussels-bee")
    found = fault(gateway.call("brussels", submit_bev(message), "SubmitBevRecord"))
    assert rules(found) == {"header.recipient"}
    assert "(flanders-wse)" in found.reason


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (timedelta(days=2) - timedelta(minutes=1), True),  # inside header_max_age
        (timedelta(days=2, minutes=2), False),  # past header_max_age plus the 60 s skew
        (-timedelta(seconds=30), True),  # ahead by less than the profile's clock skew
        (-timedelta(minutes=5), False),  # from the future
    ],
)
def test_the_header_timestamp_must_be_within_the_window(
    gateway: Gateway, age: timedelta, accepted: bool
) -> None:
    stamped = (datetime.now(UTC) - age).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = example("bev-record-v1.xml", timestamp=stamped)
    response = gateway.call("brussels", submit_bev(message), "SubmitBevRecord")
    if accepted:
        assert response.status_code == 200, response.text
    else:
        found = fault(response)
        assert rules(found) == {"header.timestamp"}
        assert stamped in {v.value for v in found.violations}


def test_every_header_disagreement_is_named_at_once(gateway: Gateway) -> None:
    request = status_request("00000000-0000-4000-8000-000000000000", sender="magda")
    set_party(request, "recipient", "ksz-bcss")
    found = fault(gateway.call("federal", request, "GetMessageStatus"))
    assert rules(found) == {"header.sender", "header.recipient"}
