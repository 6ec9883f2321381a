"""What the gateway's SOAP endpoint can answer, and the refusals that lead to each answer.

Every way a request ends is one of a handful of shapes, so that a partner's client can decide
*retry or not* from the fault code alone (``gateway.soap.faults.SoapFault.is_sender_fault``):

* a signed answer (HTTP 200);
* a Client/Sender fault: the message is wrong and sending it again cannot help. When a rule
  is named (validation, ``auth.*``, ``inbox.conflict``) the detail is a ``gw:ValidationFault``
  listing the violations, machine-readable like every other brug rejection;
* a WS-Security fault (``wsse:*`` / ``wsu:MessageExpired``), rendered by
  :meth:`WSSecurityFault.to_soap_fault`;
* a Server/Receiver fault with HTTP 503 when the store is unavailable: nothing was applied,
  a retry (freshly signed) will be processed;
* a Server/Receiver fault with HTTP 500 for a bug: the text never carries the exception.

Faults are not signed: before the partner is identified there is no profile to sign under,
and the partner clients read faults without verifying them (a forged fault can only make a
message be retried or dead-lettered, visibly; never acknowledged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.responses import Response

from gateway.errors import BrugError, BrugValidationError, Violation
from gateway.observability.metrics import Outcome
from gateway.soap.envelope import CONTENT_TYPES, SoapVersion
from gateway.soap.faults import fault_envelope, http_status, validation_fault
from gateway.wssecurity import WSSecurityFault

#: Store outages (database down, disk full, lock timeout) answer this: retry later.
UNAVAILABLE_STATUS = 503
#: Seconds the partner should wait before resending after a store outage (``Retry-After``).
STORE_RETRY_AFTER = 5


@dataclass(frozen=True, slots=True)
class SoapReply:
    """One HTTP answer, with what the metrics count it as."""

    status: int
    body: bytes
    version: SoapVersion
    outcome: Outcome
    # who and what, once the pipeline knows (labels of the request metrics; "unknown" before)
    partner: str = "unknown"
    operation: str = "unknown"

    def response(self) -> Response:
        # A store outage tells the partner when to resend, as the REST API's 503 does.
        headers = (
            {"Retry-After": str(STORE_RETRY_AFTER)} if self.status == UNAVAILABLE_STATUS else None
        )
        return Response(self.body, self.status, headers, media_type=CONTENT_TYPES[self.version])


class ClientRefusal(BrugError):
    """The message is understood but refused (authorisation, inbox conflict): a Client fault.

    Carries violations so the fault names the rule (``auth.operation``, ``auth.purpose``,
    ``inbox.conflict``) in a ``gw:ValidationFault``, as a validation fault does.
    """

    def __init__(self, reason: str, violations: Sequence[Violation], context: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.violations = tuple(violations)
        self.context = context


class StoreUnavailable(BrugError):
    """The store could not complete the unit of work; nothing was applied or acknowledged."""


def refused(error: ClientRefusal, version: SoapVersion) -> SoapReply:
    body = fault_envelope(
        version, "sender", error.reason, context=error.context, violations=error.violations
    )
    return SoapReply(http_status(version, "sender"), body, version, Outcome.REJECTED)


def invalid(error: BrugValidationError, version: SoapVersion) -> SoapReply:
    return SoapReply(
        http_status(version, "sender"), validation_fault(error, version), version, Outcome.REJECTED
    )


def insecure(fault: WSSecurityFault, version: SoapVersion) -> SoapReply:
    return SoapReply(
        http_status(version, "sender"), fault.to_soap_fault(version), version, Outcome.REJECTED
    )


def unavailable(version: SoapVersion) -> SoapReply:
    body = fault_envelope(
        version,
        "receiver",
        "the gateway cannot store messages right now; nothing was processed, retry later",
    )
    return SoapReply(UNAVAILABLE_STATUS, body, version, Outcome.FAILED)


def internal_error(version: SoapVersion) -> SoapReply:
    body = fault_envelope(version, "receiver", "internal error; the request was not processed")
    return SoapReply(500, body, version, Outcome.FAILED)


def answered(signed: bytes, version: SoapVersion, outcome: Outcome) -> SoapReply:
    return SoapReply(200, signed, version, outcome)


def too_large(limit: int, version: SoapVersion) -> SoapReply:
    error = BrugValidationError(
        [Violation("/", "xml.size", f"request larger than {limit} bytes")],
        context="SOAP request",
    )
    return invalid(error, version)
