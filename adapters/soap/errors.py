"""What a partner call can end in besides an answer, split by what the caller should do.

The gateway's outbox retries a :class:`TransientPartnerError` later and dead-letters a
:class:`PermanentPartnerError` at once. The split follows what the failure *means*: no answer,
an overloaded or failing partner, or an answer brug cannot trust -> try again (partners are
idempotent by message id, so a repeat is harmless); the partner says the message itself is
wrong -> no retry can help.
"""

from __future__ import annotations

from adapters.soap.faults import SoapFault
from gateway.errors import BrugError


class PartnerError(BrugError):
    """A call to a partner did not produce a usable answer."""

    def __init__(
        self, reason: str, *, status_code: int | None = None, fault: SoapFault | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.fault = fault


class TransientPartnerError(PartnerError):
    """Retry later: no connection, timeout, 5xx / 408 / 429, a Server fault, an untrusted answer."""


class PermanentPartnerError(PartnerError):
    """Do not retry: a Client/Sender fault, a validation or WS-Security fault, another 4xx."""


class UntrustedAnswerError(TransientPartnerError):
    """The answer's signature did not pass brug's policy (e.g. altered in transit).

    Transient on purpose: the partner may well have processed the message, and a retry (same
    message id, freshly signed) gets a new, verifiable acknowledgement of the same delivery.
    A persistent cause (a wrong pin) ends in the outbox's dead letters after its retry budget.
    """
