"""A zeep ``wsse=`` object that signs requests and verifies responses with brug's policy.

zeep calls ``apply(envelope, headers)`` before sending and ``verify(envelope)`` on the parsed
reply, then reads the reply from that same tree. So ``verify`` replaces the reply's Body *in
place* with the Body re-parsed from the signed canonical bytes: what zeep deserialises is what
was signed. zeep hands lxml elements; both methods serialise and go through brug's hardened
parser rather than trusting the tree zeep built.
"""

from __future__ import annotations

import threading
from typing import Any

from lxml import etree

from gateway.wssecurity.envelope import soap_parts
from gateway.wssecurity.signer import Signer
from gateway.wssecurity.verifier import VerifiedMessage, Verifier
from gateway.xml.safe_parser import parse_xml


class BrugWsse:
    """Pass as ``zeep.Client(..., wsse=BrugWsse(signer, verifier))``.

    Either side may be None (sign only, or verify only). The last verified reply of the current
    thread is available as :attr:`last_verified` (certificate, signed parts, Timestamp).
    """

    def __init__(self, signer: Signer | None, verifier: Verifier | None) -> None:
        self.signer = signer
        self.verifier = verifier
        self._local = threading.local()

    @property
    def last_verified(self) -> VerifiedMessage | None:
        value: VerifiedMessage | None = getattr(self._local, "verified", None)
        return value

    def apply(self, envelope: Any, headers: Any) -> tuple[Any, Any]:
        """Sign an outgoing request (zeep's egress hook)."""
        if self.signer is None:
            return envelope, headers
        root = _root(envelope)
        signed = self.signer.sign(etree.tostring(root))
        return parse_xml(signed), headers

    def verify(self, envelope: Any) -> Any:
        """Verify a reply, raising WSSecurityFault, and swap in the verified Body."""
        if self.verifier is None:
            return envelope
        root = _root(envelope)
        verified = self.verifier.verify(etree.tostring(root))
        current_body = soap_parts(root).body
        root.replace(current_body, verified.body)
        self._local.verified = verified
        return envelope


def _root(envelope: Any) -> etree._Element:
    if isinstance(envelope, etree._ElementTree):
        return envelope.getroot()
    if isinstance(envelope, etree._Element):
        return envelope
    raise TypeError("zeep passes an lxml element or tree")
