"""The gateway's client for the federal career-break service (MAGDA GeefLoopbaanonderbrekingen).

Signed under the ``ksz`` profile (X509v3 token, Timestamp <= 5 minutes, token + Timestamp + Body
signed, RSA-SHA256) and the answer verified with brug's own policy, pinned to the federal
certificate. A lookup is not stored in an outbox, so it is built and signed in one go; it uses
the same :class:`~adapters.soap.exchange.SoapExchange` as the Brussels delivery, so failures
are classified the same way (transient vs permanent).

The answer is read with :mod:`adapters.federal.xml` (the MAGDA Dutch wire names); which
``Reden`` code means "training" is not decided here but in the code table
(:mod:`adapters.federal.codes`).
"""

from __future__ import annotations

import ssl
from types import TracebackType
from typing import Any

import httpx

from adapters.federal.xml import RESPONSE, query_to_xml, response_from_xml
from adapters.soap.errors import UnknownOutcomeError
from adapters.soap.exchange import SoapExchange
from gateway.errors import BrugValidationError
from gateway.models.career_break import CareerBreakQuery, CareerBreakResponse
from gateway.models.header import MessageHeader
from gateway.soap.envelope import SoapVersion, build_envelope
from gateway.wssecurity import Signer, Verifier
from gateway.wssecurity.zeep_plugin import BrugWsse

SCHEMA = "career-break-v1"
WSDL = "federal-career-break-service-v1"
GET_ACTION = "urn:be:brug:wsdl:federal-career-break-service:1/GetCareerBreaks"
_WSDL_NS = "urn:be:brug:wsdl:federal-career-break-service:1"
BINDINGS: dict[SoapVersion, str] = {
    "1.1": f"{{{_WSDL_NS}}}FederalCareerBreakServiceSoap11Binding",
    "1.2": f"{{{_WSDL_NS}}}FederalCareerBreakServiceSoap12Binding",
}


class FederalClient:
    """Ask the federal side for one worker's career breaks over a period."""

    def __init__(
        self,
        url: str,
        signer: Signer,
        verifier: Verifier,
        *,
        timeout: float = 10.0,
        soap_version: SoapVersion = "1.1",
        http_client: httpx.Client | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.url = url
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
        self.soap_version = soap_version

    def close(self) -> None:
        self._exchange.close()

    def __enter__(self) -> FederalClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def build_request(self, query: CareerBreakQuery, header: MessageHeader) -> bytes:
        """The unsigned GetCareerBreaks envelope."""
        return build_envelope(query_to_xml(query, header), self.soap_version)

    def get_career_breaks(
        self, query: CareerBreakQuery, header: MessageHeader
    ) -> CareerBreakResponse:
        """The records overlapping ``query.period``; raises a PartnerError.

        An answer for another worker or period than asked is refused: it would attach one
        person's career breaks to another's VOK file.
        """
        answer = self._exchange.call(self.build_request(query, header), GET_ACTION)
        if answer.payload.tag != RESPONSE:
            raise UnknownOutcomeError(f"unexpected answer {answer.payload.tag} to GetCareerBreaks")
        try:
            response = response_from_xml(answer.payload).body
        except BrugValidationError as exc:
            raise UnknownOutcomeError(f"invalid career-break answer: {exc}") from None
        if response.insz != query.insz or response.period != query.period:
            raise UnknownOutcomeError("the answer is about another worker or period than asked")
        return response


def zeep_service(
    wsdl_url: str,
    signer: Signer,
    verifier: Verifier,
    *,
    soap_version: SoapVersion = "1.1",
    timeout: float = 10.0,
) -> Any:
    """A zeep proxy for GetCareerBreaks, signing and verifying through :class:`BrugWsse`."""
    import zeep
    from zeep.transports import Transport

    transport = Transport(timeout=timeout)  # type: ignore[no-untyped-call]
    wsse = BrugWsse(signer, verifier)
    client = zeep.Client(wsdl_url, wsse=wsse, transport=transport)  # type: ignore[no-untyped-call]
    port = "FederalCareerBreakServiceSoap" + soap_version.replace(".", "")
    return client.bind("FederalCareerBreakService", port)
