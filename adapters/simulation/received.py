"""The log of what a simulator received: per operation, per message id, per outcome.

A test proves exactly-once delivery by asking how often a message id *arrived* (retries
included) and how often it was *stored* (the simulator's own database): "3 requests, 1 stored".
This log counts arrivals; the stored side comes from the simulator (see ``stored`` hooks).
Counts only: no payload and no personal data is kept here.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

MAX_TRACKED_IDS = 100_000


class ReceivedLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_operation: Counter[str] = Counter()
        self.by_outcome: Counter[str] = Counter()
        self.by_message_id: Counter[str] = Counter()

    def record(self, operation: str | None, message_id: str | None, outcome: str) -> None:
        with self._lock:
            self.total += 1
            self.by_operation[operation or "(none)"] += 1
            self.by_outcome[outcome] += 1
            if message_id is not None and (
                message_id in self.by_message_id or len(self.by_message_id) < MAX_TRACKED_IDS
            ):
                self.by_message_id[message_id] += 1

    def count(self, message_id: str) -> int:
        with self._lock:
            return self.by_message_id.get(message_id, 0)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_operation": dict(self.by_operation),
                "by_outcome": dict(self.by_outcome),
                "by_message_id": dict(self.by_message_id),
            }
