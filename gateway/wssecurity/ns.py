"""Namespace and URI constants of SOAP, WS-Security 1.0/1.1 and XML-DSig.

Kept in one place so that a typo in a 90-character OASIS URI cannot make one module disagree
with another about what a token or a fault code is.
"""

from __future__ import annotations

from typing import Final

# Re-exported: the envelope namespaces are defined by the SOAP layer.
from gateway.soap.ns import SOAP11 as SOAP11
from gateway.soap.ns import SOAP12 as SOAP12
from gateway.soap.ns import XML as XML

WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSSE11: Final = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
WSU: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
EC: Final = "http://www.w3.org/2001/10/xml-exc-c14n#"

X509_PROFILE: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
)
X509V3: Final = X509_PROFILE + "#X509v3"
X509PKIPATHV1: Final = X509_PROFILE + "#X509PKIPathv1"
BASE64_BINARY: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

SOAP12_ULTIMATE_RECEIVER: Final = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"

TOKEN_TYPES: Final = {"X509v3": X509V3, "X509PKIPathv1": X509PKIPATHV1}


def q(ns: str, local: str) -> str:
    """Clark notation ``{ns}local`` as lxml uses it."""
    return f"{{{ns}}}{local}"


# Tags looked up on every message, in Clark notation (computed once).
DS_SIGNATURE: Final = q(DS, "Signature")
WSU_TIMESTAMP: Final = q(WSU, "Timestamp")
WSU_CREATED: Final = q(WSU, "Created")
WSU_EXPIRES: Final = q(WSU, "Expires")
WSU_ID: Final = q(WSU, "Id")
WSSE_SECURITY: Final = q(WSSE, "Security")
WSSE_BST: Final = q(WSSE, "BinarySecurityToken")
WSSE_STR: Final = q(WSSE, "SecurityTokenReference")
WSSE_REFERENCE: Final = q(WSSE, "Reference")
SOAP_TAGS: Final = {
    SOAP11: (q(SOAP11, "Header"), q(SOAP11, "Body"), q(SOAP11, "actor")),
    SOAP12: (q(SOAP12, "Header"), q(SOAP12, "Body"), q(SOAP12, "role")),
}
ENVELOPE_TAGS: Final = {q(SOAP11, "Envelope"): SOAP11, q(SOAP12, "Envelope"): SOAP12}
