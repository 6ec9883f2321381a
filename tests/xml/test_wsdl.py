"""Every WSDL loads in zeep with local imports only (a transport that refuses the network)."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from zeep.transports import Transport

from gateway.xml import schemas


class OfflineTransport(Transport):  # type: ignore[misc]
    """Fails the test on any http(s) fetch: WSDL and XSD imports must all be local files."""

    def load(self, url: str) -> Any:
        if url.startswith(("http://", "https://")):
            raise AssertionError(f"network fetch attempted: {url}")
        return super().load(url)


EXPECTED = {
    "gateway-service-v1": {
        "SubmitBevRecord",
        "LookupOdbCourse",
        "PushCareerBreakMutation",
        "GetMessageStatus",
    },
    "brussels-bev-service-v1": {"ReceiveBevRecord", "GetBevRecord"},
    "federal-career-break-service-v1": {"GetCareerBreaks"},
}


def test_catalog_lists_every_wsdl() -> None:
    on_disk = {p.resolve() for p in (schemas.schemas_dir() / "wsdl").glob("*.wsdl")}
    assert {w.path.resolve() for w in schemas.wsdls().values()} == on_disk
    assert set(schemas.wsdls()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_wsdl_loads_offline_with_soap11_and_soap12(name: str) -> None:
    client = zeep.Client(str(schemas.wsdl_path(name)), transport=OfflineTransport())
    (service,) = client.wsdl.services.values()
    bindings = {type(port.binding).__name__: port for port in service.ports.values()}
    assert set(bindings) == {"Soap11Binding", "Soap12Binding"}
    for port in service.ports.values():
        assert set(port.binding._operations) == EXPECTED[name]
        for operation in port.binding._operations.values():
            assert operation.style == "document"


def test_gateway_request_builds_from_zeep_types() -> None:
    client = zeep.Client(str(schemas.wsdl_path("gateway-service-v1")), transport=OfflineTransport())
    request = client.get_element("{urn:be:brug:gateway:service:1}GetMessageStatusRequest")
    assert [name for name, _ in request.type.elements] == ["header", "messageId"]
