"""What a partner call can end in besides an answer, split by what the caller should do.

Each error carries the :class:`~gateway.soap.outcome.Verdict` of the one classification table
(:mod:`gateway.soap.outcome`): the outbox retries a transient failure until the partner's age
limit, dead-letters a permanent one at once, and retries an unknown one a bounded number of
times. ``sent`` says what left the gateway for this attempt (its signature value and Timestamp),
so that the audit records it even when the attempt failed; it is None when nothing was sent.
"""

from __future__ import annotations

from typing import ClassVar

from gateway.errors import BrugError
from gateway.soap.faults import SoapFault
from gateway.soap.outcome import Verdict
from gateway.wssecurity.signer import SignedMessage


class PartnerError(BrugError):
    """A call to a partner did not produce a usable answer."""

    verdict: ClassVar[Verdict] = Verdict.UNKNOWN

    def __init__(
        self,
        reason: str,
        *,
        status_code: int | None = None,
        fault: SoapFault | None = None,
        sent: SignedMessage | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.fault = fault
        self.sent = sent


class TransientPartnerError(PartnerError):
    """Retry later: no connection, timeout, 5xx / 408 / 429, a Server fault, an expired stamp."""

    verdict = Verdict.TRANSIENT


class PermanentPartnerError(PartnerError):
    """Do not retry: a Client/Sender fault, a validation or WS-Security fault, another 4xx."""

    verdict = Verdict.PERMANENT


class UnknownOutcomeError(PartnerError):
    """The partner answered, but not with anything brug can trust or read.

    Retried a bounded number of times (``max_attempts``): the partner may well have processed
    the message, and a retry (same message id, freshly signed) gets a new, verifiable answer to
    the same delivery; a persistent cause (a wrong pin, a broken partner deployment) ends in the
    dead letters instead of being retried for days.
    """

    verdict = Verdict.UNKNOWN


class UntrustedAnswerError(UnknownOutcomeError):
    """The answer's signature did not pass brug's policy (e.g. altered in transit, wrong pin)."""
