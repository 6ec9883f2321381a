"""What the outbox refuses to do (a send's failures are verdicts: gateway.soap.outcome)."""

from __future__ import annotations

from gateway.errors import BrugError


class MessageIdConflict(BrugError):
    """The same (partner, message id) was enqueued again with a different payload.

    Returning the first entry would silently drop the second payload, so this is refused.
    """


class EntryNotFound(BrugError):
    """No outbox entry has that id."""
