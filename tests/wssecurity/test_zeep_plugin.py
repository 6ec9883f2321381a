"""BrugWsse as zeep's ``wsse=`` object: zeep hands lxml trees, reads the reply tree afterwards."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.wssecurity import WSSecurityFault
from gateway.wssecurity.zeep_plugin import BrugWsse


def test_apply_signs_an_lxml_envelope(kit, tools):
    wsse = BrugWsse(kit.signer("ksz"), kit.verifier("ksz"))
    request = etree.fromstring(tools.envelope())
    signed, headers = wsse.apply(request, {"SOAPAction": "x"})
    assert headers == {"SOAPAction": "x"}
    assert isinstance(signed, etree._Element)
    assert kit.verify(etree.tostring(signed), "ksz").signed_parts


def test_verify_replaces_body_with_signed_one(kit, tools):
    wsse = BrugWsse(None, kit.verifier("strict"))
    data = kit.sign().replace(b"user@user.com.evil.com", b"user@user.com<!---->.evil.com")
    reply = etree.fromstring(data)
    wsse.verify(reply)
    assert reply.findtext(".//m:Email", namespaces=tools.NS) == "user@user.com.evil.com"
    assert wsse.last_verified is not None
    assert wsse.last_verified.body is reply.find("s11:Body", tools.NS)


def test_verify_refuses_unsigned_altered_reply(kit, tools):
    """zeep's own check passes an expired reply with an altered Body; BrugWsse does not."""
    wsse = BrugWsse(None, kit.verifier("strict"))
    data = kit.sign().replace(b"<m:Uren>125</m:Uren>", b"<m:Uren>250</m:Uren>")
    with pytest.raises(WSSecurityFault):
        wsse.verify(etree.fromstring(data))


def test_with_zeep_client(kit, tools, tmp_path):
    """A real zeep Client round trip over a fake transport."""
    zeep = pytest.importorskip("zeep")
    wsdl = tmp_path / "svc.wsdl"
    wsdl.write_text(
        """<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:brug:test"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:brug:test">
 <types><xsd:schema targetNamespace="urn:brug:test" elementFormDefault="qualified">
  <xsd:element name="Ping"><xsd:complexType><xsd:sequence>
   <xsd:element name="Text" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="Pong"><xsd:complexType><xsd:sequence>
   <xsd:element name="Text" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
 </xsd:schema></types>
 <message name="PingIn"><part name="p" element="tns:Ping"/></message>
 <message name="PingOut"><part name="p" element="tns:Pong"/></message>
 <portType name="PT"><operation name="Ping"><input message="tns:PingIn"/>
  <output message="tns:PingOut"/></operation></portType>
 <binding name="B" type="tns:PT"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <operation name="Ping"><soap:operation soapAction="ping"/><input><soap:body use="literal"/>
  </input><output><soap:body use="literal"/></output></operation></binding>
 <service name="S"><port name="P" binding="tns:B"><soap:address location="http://peer.test/"/>
 </port></service></definitions>"""
    )
    server_verifier = kit.verifier("ksz")
    server_signer = kit.signer("ksz", party="federal")

    class Transport(zeep.Transport):  # type: ignore[misc]
        def post_xml(self, address, envelope, headers):
            seen = server_verifier.verify(etree.tostring(envelope))
            text = seen.body.findtext(".//{urn:brug:test}Text")
            reply = tools.envelope(
                body=f'<m:Pong xmlns:m="urn:brug:test"><m:Text>{text}!</m:Text></m:Pong>'
            )

            class Response:
                status_code = 200
                encoding = "utf-8"

                def __init__(self, content: bytes) -> None:
                    self.headers = {"Content-Type": "text/xml"}
                    self.content = content

            return Response(server_signer.sign(reply))

    wsse = BrugWsse(kit.signer("ksz"), kit.verifier("ksz"))
    client = zeep.Client(str(wsdl), transport=Transport(), wsse=wsse)
    assert client.service.Ping(Text="hallo") == "hallo!"
    assert wsse.last_verified.certificate.subject.rfc4514_string().startswith("CN=federal")
