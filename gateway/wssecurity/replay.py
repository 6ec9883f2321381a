"""Replay detection: remember each accepted signature value until its Timestamp expires.

Keyed on a hash of the SignatureValue: two distinct messages cannot share one (the value covers
the Timestamp and Body digests), and a byte-identical replay always does. An entry can be dropped
once the Timestamp has expired, because the freshness rule refuses the message from then on.
A multi-process deployment plugs in a shared store implementing :class:`ReplayCache`.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class ReplayCache(Protocol):
    def check_and_store(self, key: str, expires: datetime) -> bool:
        """Store ``key`` until ``expires``; return False when it was already there (a replay)."""
        ...


class InMemoryReplayCache:
    """A thread-safe, process-local :class:`ReplayCache` with a size bound."""

    def __init__(
        self, max_entries: int = 1_000_000, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._seen: dict[str, datetime] = {}
        self._expiry: list[tuple[datetime, str]] = []
        self._lock = threading.Lock()
        self._max = max_entries

    def __len__(self) -> int:
        return len(self._seen)

    def check_and_store(self, key: str, expires: datetime) -> bool:
        now = self._clock()
        with self._lock:
            if self._expiry and self._expiry[0][0] < now:
                self._purge(now)
            known = self._seen.get(key)
            if known is not None and known >= now:
                return False
            if len(self._seen) >= self._max:
                # Refusing is safer than forgetting: a full cache must not open a replay window.
                raise OverflowError("replay cache is full")
            self._seen[key] = expires
            heapq.heappush(self._expiry, (expires, key))
            return True

    def _purge(self, now: datetime) -> None:
        while self._expiry and self._expiry[0][0] < now:
            expires, key = heapq.heappop(self._expiry)
            if self._seen.get(key) == expires:
                del self._seen[key]
