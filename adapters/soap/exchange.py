"""One signed SOAP request/response exchange over HTTP, classified by the one table.

Why sign here, at send time, and not when the message is built: a WS-Security Timestamp is
valid for at most five minutes (KSZ profile), while the gateway's outbox may retry a message
hours later. The outbox therefore stores the *unsigned* envelope (whose body, and so whose
meaning, never changes) and every attempt is signed afresh: this is the only place where brug
signs a request to a partner. What was signed (signature value, Timestamp) travels with the
answer or the error, for the audit.

Why httpx with brug's own envelope and not zeep: zeep builds the body from Python objects
and cannot send a body that was serialised, validated and stored beforehand; here the stored
bytes are sent as they are. zeep remains usable with :class:`~gateway.wssecurity.zeep_plugin.
BrugWsse` for interactive calls (see the Brussels client).

What an answer means is decided by :mod:`gateway.soap.outcome` (the table is there). On top of
it, a 2xx answer must verify under the partner's profile and pins and its payload must be valid
against the service schema; otherwise the outcome is *unknown* (:class:`UnknownOutcomeError`).
Faults are read with the hardened parser but without signature verification: partners (like
WSS4J stacks) do not sign them, and a forged fault can only delay or dead-letter a message
visibly, never mark it delivered.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

import httpx
from lxml import etree

from adapters.soap.acknowledgement import Acknowledgement
from adapters.soap.errors import (
    PartnerError,
    PermanentPartnerError,
    TransientPartnerError,
    UnknownOutcomeError,
    UntrustedAnswerError,
)
from gateway.errors import BrugValidationError
from gateway.observability.correlation import outgoing_headers
from gateway.soap.envelope import SoapVersion, parse_envelope, request_headers
from gateway.soap.faults import parse_fault
from gateway.soap.outcome import Verdict, classify_fault, classify_status, short
from gateway.wssecurity import Signer, VerifiedMessage, Verifier, WSSecurityFault
from gateway.wssecurity.signer import SignedMessage
from gateway.xml import schemas
from gateway.xml.safe_parser import ParseLimits

_ERRORS: dict[Verdict, type[PartnerError]] = {
    Verdict.TRANSIENT: TransientPartnerError,
    Verdict.PERMANENT: PermanentPartnerError,
    Verdict.UNKNOWN: UnknownOutcomeError,
}


@dataclass(frozen=True, slots=True)
class PartnerAnswer:
    """A verified answer: the raw bytes (kept as proof) and the payload read from signed bytes."""

    status_code: int
    body: bytes = field(repr=False)
    content_type: str | None
    payload: etree._Element = field(repr=False)
    verified: VerifiedMessage = field(repr=False)
    acknowledgement: Acknowledgement | None = None  # set by clients of acknowledging operations
    sent: SignedMessage | None = field(default=None, repr=False)  # what this attempt signed

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
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.url = url
        self.signer = signer
        self.verifier = verifier
        self.soap_version = soap_version
        self.response_schema = response_schema
        self._limits = ParseLimits(
            verifier.profile.max_message_bytes,
            verifier.profile.max_depth,
            verifier.profile.max_elements,
        )
        self._own_client = http_client is None
        # verify: the partner's TLS trust and brug's client certificate (mutual TLS)
        self._client = http_client or httpx.Client(timeout=timeout, verify=verify)

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def call(self, envelope: bytes, action: str) -> PartnerAnswer:
        """Sign ``envelope`` now (fresh Timestamp), send it, return the verified answer."""
        return self.post(self.sign(envelope), action)

    def sign(self, envelope: bytes) -> SignedMessage:
        """Sign ``envelope`` with a fresh Timestamp (the outbox audits this before sending)."""
        return self.signer.sign_message(envelope)

    def post(self, sent: SignedMessage, action: str) -> PartnerAnswer:
        """Send a message signed by :meth:`sign`; return the verified answer.

        Raises a :class:`~adapters.soap.errors.PartnerError` whose ``verdict`` says what to do
        and whose ``sent`` is the message that was sent.
        """
        try:
            response = self._client.post(
                self.url,
                content=sent.data,
                # the caller's correlation id (REST request, outbox entry) travels to the partner
                headers=outgoing_headers(request_headers(self.soap_version, action)),
            )
        except httpx.TransportError as exc:  # connect errors, resets, timeouts
            raise TransientPartnerError(short(f"{type(exc).__name__}: {exc}"), sent=sent) from exc
        try:
            return self._classify(response, sent)
        except PartnerError as exc:
            exc.sent = sent
            raise

    def _classify(self, response: httpx.Response, sent: SignedMessage) -> PartnerAnswer:
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
            raise _ERRORS[classify_fault(fault)](
                short(f"{where}: {fault.describe()}"), status_code=status, fault=fault
            )
        verdict = classify_status(status)
        if verdict is not Verdict.DELIVERED:
            reason = short(f"{where}: {raw[:120].decode('utf-8', 'replace')}")
            raise _ERRORS[verdict](reason, status_code=status)
        if parsed is None:
            raise UnknownOutcomeError(f"{where}: the answer is not a SOAP envelope")
        try:
            verified = self.verifier.verify(raw)
        except WSSecurityFault as exc:
            raise UntrustedAnswerError(
                short(f"{where}: answer refused ({exc.code}: {exc.reason})"), status_code=status
            ) from None
        payload = next((e for e in verified.body if isinstance(e.tag, str)), None)
        if payload is None:
            raise UnknownOutcomeError(f"{where}: the answer's Body is empty", status_code=status)
        if self.response_schema is not None:
            try:
                schemas.validate(self.response_schema, payload)
            except BrugValidationError as exc:
                raise UnknownOutcomeError(
                    short(f"{where}: invalid answer: {exc}"), status_code=status
                ) from None
        return PartnerAnswer(
            status, raw, response.headers.get("content-type"), payload, verified, sent=sent
        )
