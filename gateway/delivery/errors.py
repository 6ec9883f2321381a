"""What can go wrong in delivery, split by what the worker should do about it."""

from __future__ import annotations

from gateway.errors import BrugError


class DeliveryError(BrugError):
    """Base for a failed send; ``reason`` is what ends up in the entry's ``last_error``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientDeliveryError(DeliveryError):
    """Worth retrying later: the partner is down, overloaded or the network failed."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (the partner refused the message): dead-letter it now."""


class MessageIdConflict(BrugError):
    """The same (partner, message id) was enqueued again with a different payload.

    Returning the first entry would silently drop the second payload, so this is refused.
    """


class EntryNotFound(BrugError):
    """No outbox entry has that id."""
