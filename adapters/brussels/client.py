"""The gateway's client for the Brussels BEV service (Fidus): deliver and fetch BEV records.

The client owns Brussels' side of the contract: the BEV wire version (the newest one that
carries the record without loss, :func:`adapters.brussels.xml.best_version`, unless fixed), the
service envelope (``bs:ReceiveBevRecordRequest``) and reading the acknowledgement.

Delivery is split on purpose. :meth:`BrusselsClient.build_receive_request` makes the
*unsigned* envelope the outbox stores; :meth:`BrusselsClient.sign` signs it at send time (the
outbox audits that signature before it leaves) and :meth:`BrusselsClient.deliver` sends it, so
every attempt has a fresh WS-Security Timestamp (a retry may come long after the 5-minute
window of the first signature) while the Body, and the message id in it, never change.
Brussels keys its receipts on that message id, so a retry is harmless.

Why httpx and not zeep for ``send``: zeep builds bodies from Python values and cannot send an
envelope serialised and stored beforehand. zeep *does* work against the service, signing and
verifying through :class:`~gateway.wssecurity.zeep_plugin.BrugWsse`: see :func:`zeep_service`.
"""

from __future__ import annotations

import ssl
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from uuid import uuid4

import httpx
from lxml import etree

from adapters.brussels import xml as bev_xml
from adapters.soap.acknowledgement import Acknowledgement
from adapters.soap.errors import PermanentPartnerError, UnknownOutcomeError
from adapters.soap.exchange import PartnerAnswer, SoapExchange
from gateway.models.bev import BevRecord
from gateway.models.header import MessageHeader, Party
from gateway.soap.envelope import SoapVersion, build_envelope
from gateway.wssecurity import Signer, Verifier
from gateway.wssecurity.signer import SignedMessage
from gateway.wssecurity.zeep_plugin import BrugWsse
from gateway.xml.header import append_header

BS_NS = "urn:be:brug:brussels:bev-service:1"
SCHEMA = "bev-service-v1"
WSDL = "brussels-bev-service-v1"
ACTION_PREFIX = "urn:be:brug:wsdl:brussels-bev-service:1/"
RECEIVE_ACTION = ACTION_PREFIX + "ReceiveBevRecord"
GET_ACTION = ACTION_PREFIX + "GetBevRecord"
BINDINGS: dict[SoapVersion, str] = {
    "1.1": "{urn:be:brug:wsdl:brussels-bev-service:1}BrusselsBevServiceSoap11Binding",
    "1.2": "{urn:be:brug:wsdl:brussels-bev-service:1}BrusselsBevServiceSoap12Binding",
}
GATEWAY_PARTY = Party(code="flanders-wse", kbo="0316381039")
BRUSSELS_PARTY = Party(code="brussels-bee")
LOOKUP_PURPOSE = "BEV_LOOKUP"


def _q(local: str) -> str:
    return f"{{{BS_NS}}}{local}"


class BrusselsClient:
    """Deliver BEV records to Brussels and read them back, signed per the ``strict`` profile."""

    def __init__(
        self,
        url: str,
        signer: Signer,
        verifier: Verifier,
        *,
        timeout: float = 10.0,
        bev_version: bev_xml.Version | None = None,
        soap_version: SoapVersion = "1.1",
        http_client: httpx.Client | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.url = url
        self.bev_version = bev_version
        self.soap_version = soap_version
        self._exchange = SoapExchange(
            url,
            signer,
            verifier,
            timeout=timeout,
            soap_version=soap_version,
            response_schema=SCHEMA,
            http_client=http_client,
            verify=verify,
        )

    def close(self) -> None:
        self._exchange.close()

    def __enter__(self) -> BrusselsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- ReceiveBevRecord --------------------------------------------------------------------

    def build_receive_request(self, record: BevRecord, header: MessageHeader) -> bytes:
        """The UNSIGNED ``ReceiveBevRecord`` envelope (what the outbox stores).

        Raises BrugValidationError when the record cannot be written in the chosen version.
        """
        version = self.bev_version or bev_xml.best_version(record)
        request = etree.Element(_q("ReceiveBevRecordRequest"), nsmap={"bs": BS_NS})
        request.append(bev_xml.to_xml(record, header, version))
        return build_envelope(request, self.soap_version)

    def send(self, envelope: bytes) -> PartnerAnswer:
        """Sign now, deliver, verify; the answer carries the parsed acknowledgement.

        Raises a PartnerError whose ``verdict`` (gateway.soap.outcome) the outbox acts on.
        """
        return self.deliver(self.sign(envelope))

    def sign(self, envelope: bytes) -> SignedMessage:
        """Sign an unsigned ``ReceiveBevRecord`` envelope with a fresh Timestamp."""
        return self._exchange.sign(envelope)

    def deliver(self, sent: SignedMessage) -> PartnerAnswer:
        """Send a message signed by :meth:`sign`; verify the answer, read the acknowledgement."""
        answer = self._exchange.post(sent, RECEIVE_ACTION)
        if answer.payload.tag != _q("ReceiveBevRecordResponse"):
            raise UnknownOutcomeError(
                f"unexpected answer {answer.payload.tag} to ReceiveBevRecord",
                status_code=answer.status_code,
            )
        try:
            acknowledgement = checked_acknowledgement(answer)
        except PermanentPartnerError as exc:
            exc.sent = answer.sent
            raise
        return replace(answer, acknowledgement=acknowledgement)

    # -- GetBevRecord ------------------------------------------------------------------------

    def get_bev_record(
        self, record_id: str, header: MessageHeader | None = None
    ) -> BevRecord | None:
        """The record Brussels holds under ``record_id`` (read from its v2 answer), or None."""
        request = etree.Element(_q("GetBevRecordRequest"), nsmap={"bs": BS_NS})
        append_header(request, header or lookup_header())
        etree.SubElement(request, _q("identifiantDossier")).text = record_id
        answer = self._exchange.call(build_envelope(request, self.soap_version), GET_ACTION)
        if answer.payload.tag != _q("GetBevRecordResponse"):
            raise UnknownOutcomeError(f"unexpected answer {answer.payload.tag} to GetBevRecord")
        found = next((e for e in answer.payload if isinstance(e.tag, str)), None)
        if found is None or found.tag == _q("introuvable"):
            return None
        return bev_xml.from_xml(found).body


def checked_acknowledgement(answer: PartnerAnswer) -> Acknowledgement:
    """The acknowledgement in ``answer``; a ``rejected`` one is a PermanentPartnerError.

    Brussels may refuse a record in a (signed) acknowledgement rather than a fault; for the
    outbox both mean the same: this message will never be accepted as it is.
    """
    ack = Acknowledgement.from_element(answer.payload)
    if ack.status == "rejected":
        listed = "; ".join(str(v) for v in ack.violations[:5]) or "no reason given"
        raise PermanentPartnerError(
            f"Brussels rejected message {ack.message_id}: {listed}", status_code=answer.status_code
        )
    return ack


def lookup_header(purpose: str = LOOKUP_PURPOSE) -> MessageHeader:
    """A fresh header for a lookup the gateway makes on its own behalf."""
    return MessageHeader(
        message_id=uuid4(),
        timestamp=datetime.now(UTC),
        sender=GATEWAY_PARTY,
        recipient=BRUSSELS_PARTY,
        purpose=purpose,
    )


def header_values(header: MessageHeader) -> dict[str, Any]:
    """A header as zeep keyword values (``service.GetBevRecord(header=..., ...)``)."""
    values: dict[str, Any] = {
        "messageId": str(header.message_id),
        "timestamp": header.timestamp,
        "sender": header.sender.model_dump(exclude_none=True),
        "recipient": header.recipient.model_dump(exclude_none=True),
        "purpose": header.purpose,
    }
    if header.legal_basis is not None:
        values["legalBasis"] = header.legal_basis
    if header.correlation_id is not None:
        values["correlationId"] = header.correlation_id
    return values


def zeep_service(
    wsdl_url: str,
    signer: Signer,
    verifier: Verifier,
    *,
    address: str | None = None,
    soap_version: SoapVersion = "1.1",
    timeout: float = 10.0,
) -> Any:
    """A zeep service proxy that signs with ``signer`` and verifies with brug's policy.

    For interactive calls (``proxy.GetBevRecord(header=header_values(h), identifiantDossier=...)``);
    zeep's own response check is replaced by :class:`BrugWsse` (zeep alone would accept an
    altered, expired answer: docs/wssecurity.md).
    """
    import zeep
    from zeep.transports import Transport

    transport = Transport(timeout=timeout)  # type: ignore[no-untyped-call]
    wsse = BrugWsse(signer, verifier)
    client = zeep.Client(wsdl_url, wsse=wsse, transport=transport)  # type: ignore[no-untyped-call]
    if address is None:
        return client.bind(
            "BrusselsBevService", f"BrusselsBevServiceSoap{soap_version.replace('.', '')}"
        )
    return client.create_service(BINDINGS[soap_version], address)  # type: ignore[no-untyped-call]
