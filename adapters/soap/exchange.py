"""One signed SOAP request/response exchange over HTTP, with brug's classification policy.

Why sign here, at send time, and not when the message is built: a WS-Security Timestamp is
valid for at most five minutes (KSZ profile), while the gateway's outbox may retry a message
hours later. The outbox therefore stores the *unsigned* envelope (whose body, and so whose
meaning, never changes) and every attempt is signed afresh.

Why httpx with brug's own envelope and not zeep: zeep builds the body from Python objects
and cannot send a body that was serialised, validated and stored beforehand; here the stored
bytes are sent as they are. zeep remains usable with :class:`~gateway.wssecurity.zeep_plugin.
BrugWsse` for interactive calls (see the Brussels client).

Classification (what the outbox should do with a failure):

* no answer (connection refused/reset, timeout) -> transient;
* a SOAP fault -> permanent when the message is at fault (:attr:`SoapFault.is_sender_fault`),
  else transient;
* 408 / 425 / 429 / 5xx without a fault -> transient; other non-2xx -> permanent;
* 2xx: the answer must verify under the partner's profile and pins, else
  :class:`UntrustedAnswerError` (transient), and its payload must be valid against the
  service schema, else transient (a partner bug that a fix on their side cures).

Faults are read without signature verification: partners (like WSS4J stacks) do not sign them,
and a forged fault can only delay or dead-letter a message visibly, never mark it delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from lxml import etree

from adapters.soap.acknowledgement import Acknowledgement
from adapters.soap.envelope import SoapVersion, parse_envelope, request_headers
from adapters.soap.errors import (
    PermanentPartnerError,
    TransientPartnerError,
    UntrustedAnswerError,
)
from adapters.soap.faults import parse_fault
from gateway.errors import BrugValidationError
from gateway.observability.correlation import outgoing_headers
from gateway.wssecurity import Signer, VerifiedMessage, Verifier, WSSecurityFault
from gateway.xml import schemas
from gateway.xml.safe_parser import ParseLimits

TRANSIENT_STATUS = frozenset({408, 425, 429})
MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class PartnerAnswer:
    """A verified answer: the raw bytes (kept as proof) and the payload read from signed bytes."""

    status_code: int
    body: bytes = field(repr=False)
    content_type: str | None
    payload: etree._Element = field(repr=False)
    verified: VerifiedMessage = field(repr=False)
    acknowledgement: Acknowledgement | None = None  # set by clients of acknowledging operations

    @property
    def signed_by(self) -> str:
        return self.verified.certificate.subject.rfc4514_string()


class SoapExchange:
    """Sign, POST, verify, classify; one pooled httpx client per partner endpoint."""

    def __init__(
        self,
        url: str,
        signer: Signer,
        verifier: Verifier,
        *,
        timeout: float = 10.0,
        soap_version: SoapVersion = "1.1",
        response_schema: str | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.signer = signer
        self.verifier = verifier
        self.soap_version = soap_version
        self.response_schema = response_schema
        self._limits = ParseLimits(verifier.profile.max_message_bytes, verifier.profile.max_depth)
        self._own_client = http_client is None
        self._client = http_client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def call(self, envelope: bytes, action: str) -> PartnerAnswer:
        """Sign ``envelope`` now (fresh Timestamp), send it, return the verified answer."""
        signed = self.signer.sign(envelope)
        try:
            response = self._client.post(
                self.url,
                content=signed,
                # the caller's correlation id (REST request, outbox entry) travels to the partner
                headers=outgoing_headers(request_headers(self.soap_version, action)),
            )
        except httpx.TransportError as exc:  # connect errors, resets, timeouts
            raise TransientPartnerError(_short(f"{type(exc).__name__}: {exc}")) from exc
        return self._classify(response)

    def _classify(self, response: httpx.Response) -> PartnerAnswer:
        status = response.status_code
        raw = response.content
        where = f"HTTP {status} from {self.url}"
        parsed = None
        if raw:
            try:
                parsed = parse_envelope(raw, self._limits)
            except BrugValidationError:
                parsed = None
        fault = parse_fault(parsed.body) if parsed is not None else None
        if fault is not None:
            reason = _short(f"{where}: {fault.describe()}")
            error = PermanentPartnerError if fault.is_sender_fault else TransientPartnerError
            raise error(reason, status_code=status, fault=fault)
        if not 200 <= status < 300:
            reason = _short(f"{where}: {raw[:120].decode('utf-8', 'replace')}")
            if status >= 500 or status in TRANSIENT_STATUS:
                raise TransientPartnerError(reason, status_code=status)
            raise PermanentPartnerError(reason, status_code=status)
        if parsed is None:
            raise TransientPartnerError(f"{where}: the answer is not a SOAP envelope")
        try:
            verified = self.verifier.verify(raw)
        except WSSecurityFault as exc:
            raise UntrustedAnswerError(
                _short(f"{where}: answer refused ({exc.code}: {exc.reason})"), status_code=status
            ) from None
        payload = next((e for e in verified.body if isinstance(e.tag, str)), None)
        if payload is None:
            raise TransientPartnerError(f"{where}: the answer's Body is empty", status_code=status)
        if self.response_schema is not None:
            try:
                schemas.validate(self.response_schema, payload)
            except BrugValidationError as exc:
                raise TransientPartnerError(
                    _short(f"{where}: invalid answer: {exc}"), status_code=status
                ) from None
        return PartnerAnswer(status, raw, response.headers.get("content-type"), payload, verified)


def _short(text: str) -> str:
    return text[:MAX_REASON]
