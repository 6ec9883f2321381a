"""What a partner's answer (or its absence) means for a queued message: the one table.

Every worker and every client classifies through :func:`classify`, so "is this worth trying
again?" has one answer in brug:

=========================================================  ==========  ==========================
what came back                                             verdict     the outbox then
=========================================================  ==========  ==========================
no answer (refused, reset, timeout)                        transient   retries until ``max_age``
HTTP 408, 425, 429 or 5xx without a SOAP Fault             transient   retries until ``max_age``
a Fault with ``Server`` / ``Receiver``                     transient   retries until ``max_age``
a Fault ``wsu:MessageExpired``                             transient   retries (re-signed afresh)
a Fault with ``Client`` / ``Sender``, a WS-Security code   permanent   dead-letters at once
  or brug validation violations
any other 3xx / 4xx without a Fault                        permanent   dead-letters at once
2xx whose answer does not verify, is not valid against     unknown     retries, at most
  its schema, or is not the expected element                           ``max_attempts`` times
2xx with a valid, verified answer                          delivered   records the answer
=========================================================  ==========  ==========================

Why *unknown* is its own kind: a partner that keeps answering with something brug cannot trust
(a wrong pin, a broken deployment) may have processed the message or not; retrying is harmless
(partners deduplicate on the message id) but endless retrying hides a configuration error, so
only these failures have an attempt limit. A transient failure says the partner is down or
busy: waiting for it is the whole point of the outbox, so its budget is time, not attempts.

SOAP 1.1 sends *every* fault with HTTP 500, so the Fault code decides, never the status alone.
"""

from __future__ import annotations

from enum import StrEnum

from gateway.soap.faults import SoapFault

#: Statuses that say "not now" rather than "never".
TRANSIENT_STATUS = frozenset({408, 425, 429})
#: Length of a failure reason as kept in the outbox and the logs.
MAX_REASON = 300


class Verdict(StrEnum):
    DELIVERED = "delivered"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


def classify_fault(fault: SoapFault) -> Verdict:
    """A Fault: the sender's fault is permanent (except an expired Timestamp), else transient."""
    return Verdict.PERMANENT if fault.is_sender_fault else Verdict.TRANSIENT


def classify_status(status: int | None) -> Verdict:
    """An answer without a Fault, by HTTP status (``None``: no answer at all)."""
    if status is None or status >= 500 or status in TRANSIENT_STATUS:
        return Verdict.TRANSIENT
    if 200 <= status < 300:
        return Verdict.DELIVERED
    return Verdict.PERMANENT


def short(text: str) -> str:
    """A reason cut to :data:`MAX_REASON` characters."""
    return text[:MAX_REASON]
