"""The seam between the worker and the wire: anything that can send one entry."""

from __future__ import annotations

from typing import Protocol

from gateway.delivery.entries import OutboxEntry, PartnerAnswer


class Transport(Protocol):
    def send(self, entry: OutboxEntry) -> PartnerAnswer:
        """Send ``entry.payload`` as is (it is signed: not one byte may change).

        Return the partner's answer, or raise :class:`TransientDeliveryError` (retry later) or
        :class:`PermanentDeliveryError` (dead-letter). Any other exception is treated as
        transient, so a bug in a transport delays messages instead of losing them.
        """
        ...
