"""The served WSDL works with a stock zeep client signing and verifying through BrugWsse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
import zeep
from lxml import etree

from adapters.brussels.client import header_values
from gateway.models.header import MessageHeader, Party
from gateway.wssecurity.zeep_plugin import BrugWsse
from tests.service.soap.support import (
    Gateway,
    answer,
    example,
    id_of,
    status_request,
    submit_bev,
)

SERVICE = "BrugGatewayService"


def _proxy(gateway: Gateway, version: str = "1.1") -> Any:
    wsse = BrugWsse(gateway.signer("brussels"), gateway.verifier("brussels"))
    client = zeep.Client(gateway.url + "?wsdl", wsse=wsse)  # type: ignore[no-untyped-call]
    return client.bind(SERVICE, f"BrugGatewayServiceSoap{version.replace('.', '')}")


def _header(purpose: str) -> dict[str, Any]:
    return header_values(
        MessageHeader(
            message_id=uuid4(),
            timestamp=datetime.now(UTC),
            sender=Party(code="brussels-bee"),
            recipient=Party(code="flanders-wse", kbo="0316381039"),
            purpose=purpose,
        )
    )


def test_wsdl_is_served_with_the_actual_address_and_its_schemas(gateway: Gateway) -> None:
    response = httpx.get(gateway.url + "?wsdl", timeout=5)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    locations = [e.get("location") for e in root.iter() if etree.QName(e).localname == "address"]
    assert locations == [gateway.url + "/soap11", gateway.url + "/soap12"]
    assert b"gateway.brug.invalid" not in response.content
    imports = [str(e.get("schemaLocation")) for e in root.iter("{*}import")]
    assert imports == [gateway.url + "/schemas/gateway/gateway-service-v1.xsd"]
    assert httpx.get(imports[0], timeout=5).status_code == 200
    for outside in ("/schemas/../pyproject.toml", "/schemas/catalog.toml"):
        assert httpx.get(gateway.url + outside, timeout=5).status_code == 404
    assert httpx.get(gateway.url, timeout=5).status_code == 404  # GET without ?wsdl


def test_the_wsdl_address_comes_from_the_configuration_not_the_host_header(
    gateway: Gateway,
) -> None:
    response = httpx.get(gateway.url + "?wsdl", headers={"Host": "evil.example"}, timeout=5)
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    assert (gateway.url + "/soap11").encode() in response.content


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_zeep_looks_up_a_course_and_a_missing_one(gateway: Gateway, version: str) -> None:
    proxy = _proxy(gateway, version)
    found = proxy.LookupOdbCourse(header=_header("ODB_LOOKUP"), odbNumber="CE-100234/M1")
    assert found.course.odbNumber == "CE-100234" and found.notFound is None
    assert found.header.correlationId is not None
    missing = proxy.LookupOdbCourse(header=_header("ODB_LOOKUP"), odbNumber="CE-999999")
    assert missing.course is None and missing.notFound is not None


def test_zeep_asks_the_status_of_a_submitted_message(gateway: Gateway) -> None:
    message = example("bev-record-v2.xml")
    message_id = id_of(message)
    answer(gateway.call("brussels", submit_bev(message), "SubmitBevRecord"), gateway, "brussels")
    proxy = _proxy(gateway)
    status = proxy.GetMessageStatus(header=_header("MESSAGE_STATUS"), messageId=message_id)
    assert (status.messageId, status.status) == (message_id, "validated")
    assert status.updatedAt is not None
    unknown = proxy.GetMessageStatus(header=_header("MESSAGE_STATUS"), messageId=str(uuid4()))
    assert unknown.status == "unknown"


def test_a_message_of_another_partner_is_unknown_to_the_caller(gateway: Gateway) -> None:
    message = example("bev-record-v1.xml")
    message_id = id_of(message)
    answer(gateway.call("brussels", submit_bev(message), "SubmitBevRecord"), gateway, "brussels")
    request = status_request(message_id, sender="federal-rva")
    response = gateway.call("federal", request, "GetMessageStatus")
    payload = answer(response, gateway, "federal")
    assert payload.findtext("{urn:be:brug:gateway:service:1}status") == "unknown"


def test_outbox_state_is_reported_for_messages_sent_to_the_caller(gateway: Gateway) -> None:
    message_id = str(uuid4())
    gateway.context.outbox.enqueue(
        partner="brussels", message_id=message_id, operation="ReceiveBevRecord", payload=b"<x/>"
    )
    proxy = _proxy(gateway)
    status = proxy.GetMessageStatus(header=_header("MESSAGE_STATUS"), messageId=message_id)
    assert status.status == "validated"  # accepted by brug, delivery pending
