"""The delivery worker's transport for real partners: the adapters, re-signing every attempt.

The outbox stores the signed form of a message (proof of what brug accepted to send); each
attempt strips that signature and has the partner's adapter sign afresh (a new Timestamp), then
maps the adapter's view of a failure (transient / permanent) onto the worker's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adapters.soap.errors import PermanentPartnerError, TransientPartnerError
from adapters.soap.exchange import PartnerAnswer as AdapterAnswer
from gateway.delivery.entries import OutboxEntry, PartnerAnswer
from gateway.delivery.errors import PermanentDeliveryError, TransientDeliveryError
from gateway.errors import BrugValidationError
from gateway.observability.correlation import correlation_scope
from gateway.wssecurity.unsign import unsigned_form

#: partner name -> the adapter call that signs and sends an unsigned envelope
Sender = Callable[[bytes], AdapterAnswer]


class PartnerTransport:
    def __init__(self, senders: Mapping[str, Sender]) -> None:
        self._senders = dict(senders)

    def send(self, entry: OutboxEntry) -> PartnerAnswer:
        sender = self._senders.get(entry.partner)
        if sender is None:
            raise PermanentDeliveryError(f"no adapter is configured for partner {entry.partner!r}")
        try:
            envelope = unsigned_form(entry.payload)
        except BrugValidationError as exc:  # cannot happen for what brug stored itself
            raise PermanentDeliveryError(f"stored message is unreadable: {exc}") from None
        try:
            # Logs of this attempt, and the partner call's X-Correlation-ID, carry the id of the
            # request that queued the message.
            with correlation_scope(entry.correlation_id):
                answer = sender(envelope)
        except PermanentPartnerError as exc:
            raise PermanentDeliveryError(exc.reason) from None
        except TransientPartnerError as exc:
            raise TransientDeliveryError(exc.reason) from None
        return PartnerAnswer(
            body=answer.body, status_code=answer.status_code, content_type=answer.content_type
        )
