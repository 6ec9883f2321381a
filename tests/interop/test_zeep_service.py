"""A real signed SOAP round trip: zeep + BrugWsse against a small signed service on loopback.

The service is a WSGI app (``wsgiref``, in a thread, on 127.0.0.1 with an ephemeral port) that
verifies each request with brug's Verifier and answers signed with brug's Signer under its own
key (``brussels``). The client is a stock zeep ``Client`` built from ``data/ping.wsdl`` with
``BrugWsse`` as its ``wsse=`` plugin, signing as ``flanders`` and pinning the service's cert.

What this catches that the file-based tests cannot: zeep's own serialisation of the request
before signing, HTTP transport, and zeep parsing the reply *after* BrugWsse verified it (zeep's
built-in check would accept a reply whose Body was altered after signing; domain.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import etree

from tests.interop.peers import SOAP11, SOAP12

pytestmark = pytest.mark.interop

WSDL = Path(__file__).parent / "data" / "ping.wsdl"
PING_NS = "urn:brug:interop:ping"
BINDINGS = {SOAP11: f"{{{PING_NS}}}PingSoap11", SOAP12: f"{{{PING_NS}}}PingSoap12"}
PROFILE = "ksz"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep pytest output clean: the test asserts on responses, not on access logs."""


@dataclass
class PingService:
    """Verifies requests with brug, answers signed; ``tamper``/``signer`` steer misbehaviour."""

    verifier: Any
    signer: Any
    tamper: bool = False
    requests: list[Any] = field(default_factory=list)  # VerifiedMessage of each accepted call

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        from gateway.wssecurity import WSSecurityFault

        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = environ["wsgi.input"].read(length)
        soap12 = environ.get("CONTENT_TYPE", "").startswith("application/soap+xml")
        content_type = "application/soap+xml" if soap12 else "text/xml"
        try:
            verified = self.verifier.verify(request)
        except WSSecurityFault as fault:
            body = fault.to_soap_fault("1.2" if soap12 else "1.1")
            start_response("500 Internal Server Error", [("Content-Type", content_type)])
            return [body]
        self.requests.append(verified)
        # Read the payload from what was verified, never from the raw request.
        text = verified.body.findtext(f"{{{PING_NS}}}Ping/{{{PING_NS}}}Text")
        signed_by = verified.certificate.subject.rfc4514_string()
        soap_ns = SOAP12 if verified.soap_version == "1.2" else SOAP11
        response = self._response(soap_ns, text or "", signed_by)
        signed = self.signer.sign(response)
        if self.tamper:  # altered after signing, as a man in the middle would
            tampered = signed.replace(b"<p:Echo>", b"<p:Echo>NOT ")
            if tampered == signed:
                raise AssertionError("the tamper found no <p:Echo> to alter")
            signed = tampered
        start_response("200 OK", [("Content-Type", content_type)])
        return [signed]

    @staticmethod
    def _response(soap_ns: str, text: str, signed_by: str) -> bytes:
        env = etree.Element(etree.QName(soap_ns, "Envelope"), nsmap={"soap": soap_ns})
        etree.SubElement(env, etree.QName(soap_ns, "Header"))
        body = etree.SubElement(env, etree.QName(soap_ns, "Body"))
        resp = etree.SubElement(body, etree.QName(PING_NS, "PingResponse"), nsmap={"p": PING_NS})
        etree.SubElement(resp, etree.QName(PING_NS, "Echo")).text = text
        etree.SubElement(resp, etree.QName(PING_NS, "SignedBy")).text = signed_by
        return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def service(
    make_signer: Callable[..., Any], make_verifier: Callable[..., Any]
) -> Iterator[tuple[PingService, str]]:
    app = PingService(verifier=make_verifier(PROFILE), signer=make_signer(PROFILE, "brussels"))
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}/ping"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _client(wsse: Any, soap_ns: str, address: str) -> Any:
    zeep = pytest.importorskip("zeep")
    from zeep.transports import Transport

    transport = Transport(timeout=10)  # type: ignore[no-untyped-call]
    client = zeep.Client(str(WSDL), wsse=wsse, transport=transport)
    return client.create_service(BINDINGS[soap_ns], address)


@pytest.fixture
def brug_wsse(pki_dir: Path, make_signer: Callable[..., Any]) -> Callable[..., Any]:
    """``brug_wsse(pin="brussels")``: client plugin signing as flanders, pinning the service."""
    from gateway.wssecurity import TrustStore, Verifier, load_profile
    from gateway.wssecurity.zeep_plugin import BrugWsse

    def make(pin: str = "brussels") -> Any:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate((pki_dir / f"{pin}.pem").read_bytes())
        trust = TrustStore.from_pem_files([pki_dir / "ca.pem"])
        verifier = Verifier(load_profile(PROFILE), trust, pins=(cert,))
        return BrugWsse(make_signer(PROFILE, "flanders"), verifier)

    return make


def test_zeep_call_to_signed_service_succeeds(
    service: tuple[PingService, str], brug_wsse: Callable[..., Any], soap_ns: str
) -> None:
    app, address = service
    wsse = brug_wsse()
    result = _client(wsse, soap_ns, address).Ping(Text="hallo Brussel", Note="één café")

    assert result.Echo == "hallo Brussel"
    assert "0316381039" in result.SignedBy  # the service saw flanders' certificate
    assert len(app.requests) == 1
    assert {"Body", "Timestamp", "BinarySecurityToken"} <= set(app.requests[0].signed_parts)
    assert wsse.last_verified is not None
    assert "brussels" in wsse.last_verified.certificate.subject.rfc4514_string()


def test_zeep_client_raises_on_response_tampered_after_signing(
    service: tuple[PingService, str], brug_wsse: Callable[..., Any], soap_ns: str
) -> None:
    from gateway.wssecurity import WSSecurityFault

    app, address = service
    app.tamper = True
    with pytest.raises(WSSecurityFault) as exc:
        _client(brug_wsse(), soap_ns, address).Ping(Text="hallo Brussel")
    assert exc.value.code == "wsse:FailedCheck"


def test_zeep_client_raises_on_response_signed_by_unpinned_partner(
    service: tuple[PingService, str],
    brug_wsse: Callable[..., Any],
    make_signer: Callable[..., Any],
) -> None:
    """A reply validly signed by another partner of the same CA is not the service's reply."""
    from gateway.wssecurity import WSSecurityFault

    app, address = service
    app.signer = make_signer(PROFILE, "federal")
    with pytest.raises(WSSecurityFault):
        _client(brug_wsse(pin="brussels"), SOAP11, address).Ping(Text="hallo Brussel")


def test_service_refuses_unsigned_zeep_request(service: tuple[PingService, str]) -> None:
    from zeep.exceptions import Fault

    app, address = service
    with pytest.raises(Fault) as exc:
        _client(None, SOAP11, address).Ping(Text="hallo Brussel")
    assert "InvalidSecurity" in str(exc.value.code)
    assert app.requests == []
