"""The Brussels simulator over a real socket: WSDL, zeep, and every way a request is refused.

Each refusal must be a proper SOAP Fault naming the rule (WS-Security code or a
gw:ValidationFault listing the violations), never an HTTP 500 with a stack trace.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import etree

from adapters.brussels.client import BrusselsClient, header_values, lookup_header, zeep_service
from adapters.simulation.process import RunningProcess
from gateway.soap.envelope import parse_envelope, request_headers
from gateway.soap.faults import SoapFault, parse_fault
from gateway.wssecurity import KeyMaterial, Signer, load_profile
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import bev_record, header, signer, verifier

RECEIVE = "urn:be:brug:wsdl:brussels-bev-service:1/ReceiveBevRecord"
BEV2 = "urn:be:brug:brussels:bev-record:2"


def _client(sim: RunningProcess, pki: PkiLayout) -> BrusselsClient:
    return BrusselsClient(sim.service_url, signer(pki), verifier(pki), timeout=10)


def _unsigned(sim: RunningProcess, pki: PkiLayout, **changes: object) -> bytes:
    return _client(sim, pki).build_receive_request(bev_record(**changes), header())


def _post(sim: RunningProcess, data: bytes, version: str = "1.1") -> httpx.Response:
    return httpx.post(
        sim.service_url,
        content=data,
        headers=request_headers(version, RECEIVE),
        timeout=10,  # type: ignore[arg-type]
    )


def _fault(response: httpx.Response) -> SoapFault:
    assert response.status_code in (400, 500), response.status_code
    assert b"Traceback" not in response.content
    fault = parse_fault(parse_envelope(response.content).body)
    assert fault is not None, response.content[:300]
    return fault


def test_wsdl_is_served_with_the_actual_address(brussels_sim: RunningProcess) -> None:
    response = httpx.get(brussels_sim.wsdl_url, timeout=5)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    locations = [e.get("location") for e in root.iter() if etree.QName(e).localname == "address"]
    assert locations == [brussels_sim.service_url + "/soap11", brussels_sim.service_url + "/soap12"]
    assert b"fidus.brussels.invalid" not in response.content
    imported = httpx.get(f"{brussels_sim.base_url}/schemas/brussels/bev-service-v1.xsd", timeout=5)
    assert imported.status_code == 200
    outside = httpx.get(f"{brussels_sim.base_url}/schemas/../pyproject.toml", timeout=5)
    assert outside.status_code == 404


def test_zeep_loads_the_wsdl_and_calls_get_bev_record(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    record = bev_record(record_id="BEV-ZEEP-0001")
    _client(brussels_sim, pki).send(
        _client(brussels_sim, pki).build_receive_request(record, header())
    )
    for version in ("1.1", "1.2"):
        proxy = zeep_service(
            brussels_sim.wsdl_url, signer(pki), verifier(pki), soap_version=version
        )  # type: ignore[arg-type]
        result = proxy.GetBevRecord(
            header=header_values(lookup_header()), identifiantDossier=record.record_id
        )
        dossier = result.messageCongeEducation.dossier
        assert dossier.identifiantDossier == record.record_id
        assert result.messageCongeEducation.header.sender.code == "brussels-bee"
        missing = proxy.GetBevRecord(
            header=header_values(lookup_header()), identifiantDossier="BEV-NOT-THERE"
        )
        assert missing.introuvable is not None


def test_unsigned_request_is_a_wsse_fault(brussels_sim: RunningProcess, pki: PkiLayout) -> None:
    fault = _fault(_post(brussels_sim, _unsigned(brussels_sim, pki)))
    assert fault.code == "wsse:InvalidSecurity"
    assert fault.is_sender_fault


def test_untrusted_certificate_is_refused(brussels_sim: RunningProcess, pki: PkiLayout) -> None:
    signed = signer(pki, "untrusted").sign(_unsigned(brussels_sim, pki))
    fault = _fault(_post(brussels_sim, signed))
    assert fault.code == "wsse:FailedAuthentication"
    assert "not trusted" in fault.reason


def test_trusted_but_not_pinned_certificate_is_refused(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    """Same CA, but not the gateway: access is per application certificate."""
    signed = signer(pki, "federal").sign(_unsigned(brussels_sim, pki))
    fault = _fault(_post(brussels_sim, signed))
    assert fault.code == "wsse:FailedAuthentication"
    assert "pinned" in fault.reason


def test_body_tampered_after_signing_fails_the_check(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    signed = signer(pki).sign(_unsigned(brussels_sim, pki))
    tampered = signed.replace(b"<heuresContact>120.00<", b"<heuresContact>180.00<")
    assert tampered != signed
    assert _fault(_post(brussels_sim, tampered)).code == "wsse:FailedCheck"


def test_expired_timestamp_is_message_expired_and_retryable(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    """Why the client signs at send time: a message signed 10 minutes ago is refused."""
    material = KeyMaterial.from_pem(pki["flanders"].key, pki["flanders"].cert)
    stale = Signer(
        load_profile("strict"), material, clock=lambda: datetime.now(UTC) - timedelta(minutes=10)
    )
    fault = _fault(_post(brussels_sim, stale.sign(_unsigned(brussels_sim, pki))))
    assert fault.code == "wsu:MessageExpired"
    assert not fault.is_sender_fault  # a fresh signature cures it


def test_replayed_bytes_are_refused(brussels_sim: RunningProcess, pki: PkiLayout) -> None:
    signed = signer(pki).sign(_unsigned(brussels_sim, pki))
    assert _post(brussels_sim, signed).status_code == 200
    fault = _fault(_post(brussels_sim, signed))
    assert fault.code == "wsse:InvalidSecurity"
    assert "replay" in fault.reason.lower()


def test_schema_invalid_body_lists_every_violation(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    root = etree.fromstring(_unsigned(brussels_sim, pki))
    ns = {"b": BEV2}
    root.find(".//b:heuresContact", ns).text = "beaucoup"  # type: ignore[union-attr]
    root.find(".//b:typeFormation", ns).text = "cuisine"  # type: ignore[union-attr]
    signed = signer(pki).sign(etree.tostring(root))
    fault = _fault(_post(brussels_sim, signed))
    assert fault.code == "soapenv:Client"
    assert fault.is_sender_fault
    rules = {v.rule for v in fault.violations}
    paths = " ".join(v.path for v in fault.violations)
    assert len(fault.violations) >= 2
    assert all(rule.startswith("xsd.") for rule in rules)
    assert "heuresContact" in paths and "typeFormation" in paths


def test_model_invalid_record_is_a_validation_fault_with_masked_insz(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    root = etree.fromstring(_unsigned(brussels_sim, pki))
    niss = root.find(f".//{{{BEV2}}}niss")
    assert niss is not None
    niss.text = "85071412331"  # wrong check digits, pattern still valid
    fault = _fault(_post(brussels_sim, signer(pki).sign(etree.tostring(root))))
    assert fault.violations
    assert "85071412331" not in str(fault.violations)


def test_unknown_operation_is_a_validation_fault(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    env = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<x:Ping xmlns:x="urn:example"/></s:Body></s:Envelope>'
    )
    fault = _fault(_post(brussels_sim, signer(pki).sign(env)))
    assert [v.rule for v in fault.violations] == ["soap.operation"]


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&e;'
        b"</s:Body></s:Envelope>",
        b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>",
        b"not xml at all",
    ],
    ids=["xxe", "truncated", "garbage"],
)
def test_hostile_or_broken_xml_is_a_fault(brussels_sim: RunningProcess, payload: bytes) -> None:
    fault = _fault(_post(brussels_sim, payload))
    assert fault.code == "wsse:InvalidSecurity"
    assert "passwd" not in fault.reason


def test_oversized_request_is_refused_before_parsing(brussels_sim: RunningProcess) -> None:
    big = b"<a>" + b"x" * (3 * 1024 * 1024) + b"</a>"
    fault = _fault(_post(brussels_sim, big))
    assert [v.rule for v in fault.violations] == ["xml.size"]


def test_soap12_request_gets_a_soap12_answer_and_faults(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    client = BrusselsClient(
        brussels_sim.service_url, signer(pki), verifier(pki), soap_version="1.2"
    )
    answer = client.send(client.build_receive_request(bev_record(record_id="BEV-S12-1"), header()))
    assert answer.verified.soap_version == "1.2"
    assert answer.content_type is not None and "application/soap+xml" in answer.content_type
    unsigned = client.build_receive_request(bev_record(), header())
    response = _post(brussels_sim, unsigned, "1.2")
    assert response.status_code == 400
    fault = _fault(response)
    assert (fault.code, fault.subcode) == ("env:Sender", "wsse:InvalidSecurity")


def test_admin_endpoints(brussels_sim: RunningProcess) -> None:
    health = brussels_sim.admin("GET", "health")
    assert health["status"] == "ok" and health["simulator"] == "brussels"
    received = brussels_sim.received()
    assert {"total", "by_operation", "by_outcome", "by_message_id", "stored"} <= set(received)
    bad = httpx.post(f"{brussels_sim.base_url}/_admin/faults", json={"fail_ratio": 2}, timeout=5)
    assert bad.status_code == 422
    assert bad.json()["violations"][0]["path"] == "fail_ratio"
