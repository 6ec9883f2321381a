"""The one exception the WS-Security layer raises, and its SOAP Fault rendering.

Fault codes are those of WS-Security 1.1 section 12 (``wsse:*``) and the utility schema
(``wsu:MessageExpired``). A reason tells the sender what to fix ("Timestamp expired at ...",
"Body is not signed") and never carries key material, a signature value or personal data.
"""

from __future__ import annotations

from typing import Final, Literal

from lxml import etree

from gateway.errors import BrugError
from gateway.wssecurity.ns import SOAP11, SOAP12, WSSE, WSU, XML, q

INVALID_SECURITY: Final = "wsse:InvalidSecurity"
FAILED_CHECK: Final = "wsse:FailedCheck"
INVALID_SECURITY_TOKEN: Final = "wsse:InvalidSecurityToken"  # noqa: S105 (a fault code)
FAILED_AUTHENTICATION: Final = "wsse:FailedAuthentication"
UNSUPPORTED_ALGORITHM: Final = "wsse:UnsupportedAlgorithm"
MESSAGE_EXPIRED: Final = "wsu:MessageExpired"

FAULT_CODES: Final = frozenset(
    {
        INVALID_SECURITY,
        FAILED_CHECK,
        INVALID_SECURITY_TOKEN,
        FAILED_AUTHENTICATION,
        UNSUPPORTED_ALGORITHM,
        MESSAGE_EXPIRED,
    }
)

SoapVersion = Literal["1.1", "1.2"]


class WSSecurityFault(BrugError):
    """A message was refused by the WS-Security layer.

    ``code`` is a prefixed QName (``wsse:FailedCheck``); ``reason`` is a sentence for the sender.
    """

    def __init__(self, code: str, reason: str) -> None:
        if code not in FAULT_CODES:
            raise ValueError(f"unknown WS-Security fault code {code!r}")
        self.code = code
        self.reason = reason
        super().__init__(f"{code}: {reason}")

    @property
    def qname(self) -> str:
        """The fault code in Clark notation."""
        prefix, local = self.code.split(":", 1)
        return q(WSU if prefix == "wsu" else WSSE, local)

    def to_soap_fault(self, soap_version: SoapVersion | str = "1.1") -> bytes:
        """Render a SOAP 1.1 or 1.2 Fault envelope.

        SOAP 1.1 puts the WS-Security code in ``faultcode``; SOAP 1.2 uses ``env:Sender`` with the
        WS-Security code as ``Subcode`` (WS-Security 1.1 section 12).
        """
        version = _normalise_version(soap_version)
        prefix = self.code.split(":", 1)[0]
        code_ns = WSU if prefix == "wsu" else WSSE
        if version == "1.1":
            env = etree.Element(q(SOAP11, "Envelope"), nsmap={"soapenv": SOAP11, prefix: code_ns})
            body = etree.SubElement(env, q(SOAP11, "Body"))
            fault = etree.SubElement(body, q(SOAP11, "Fault"))
            etree.SubElement(fault, "faultcode").text = self.code
            etree.SubElement(fault, "faultstring").text = self.reason
        else:
            env = etree.Element(q(SOAP12, "Envelope"), nsmap={"env": SOAP12, prefix: code_ns})
            body = etree.SubElement(env, q(SOAP12, "Body"))
            fault = etree.SubElement(body, q(SOAP12, "Fault"))
            code = etree.SubElement(fault, q(SOAP12, "Code"))
            etree.SubElement(code, q(SOAP12, "Value")).text = "env:Sender"
            sub = etree.SubElement(code, q(SOAP12, "Subcode"))
            etree.SubElement(sub, q(SOAP12, "Value")).text = self.code
            reason = etree.SubElement(fault, q(SOAP12, "Reason"))
            text = etree.SubElement(reason, q(SOAP12, "Text"))
            text.set(q(XML, "lang"), "en")
            text.text = self.reason
        return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _normalise_version(version: SoapVersion | str) -> SoapVersion:
    if version in ("1.1", "11", SOAP11):
        return "1.1"
    if version in ("1.2", "12", SOAP12):
        return "1.2"
    raise ValueError(f"unknown SOAP version {version!r}")
