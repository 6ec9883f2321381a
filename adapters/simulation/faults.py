"""Fault injection: latency, a share of failed calls, and a period of being down.

Real partners are slow, fail now and then, and go away for maintenance; the gateway's retry
and circuit-breaking only earn trust when exercised against that. Failures are drawn from a
seeded random generator so that a test run (or a demo) can be replayed.

Modes of a failed call (``fail_mode``):

* ``before``: 503 with a SOAP Server fault, nothing processed (the partner was overloaded);
* ``after``: the call is processed (a record stored) but the answer is replaced by the 503,
  as when a response is lost on the way back; the sender retries the same message id and
  must get the first acknowledgement again, with nothing stored twice;
* ``refuse``: nothing processed, answered with a SOAP *sender* fault (HTTP 500): the partner
  rejects the message itself, which a sender must not retry (the gateway dead-letters it, and
  an operator decides).

Being *down* answers every non-admin request with ``503 Service Unavailable``, an empty body
and ``Retry-After``: an HTTP-level refusal that every client treats as transient. (Closing the
socket would be closer to a crashed host, but uvicorn offers no clean way to do that per
request; a stopped simulator process gives the connection-refused case instead.)
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FailMode = Literal["before", "after", "refuse"]
Action = Literal["down", "fail"]


class FaultSettings(BaseModel):
    """The JSON body of ``POST /_admin/faults`` (and the CLI flags): bounded on purpose."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, le=60_000)
    fail_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    down_for_seconds: float = Field(default=0.0, ge=0.0, le=3_600.0)
    fail_mode: FailMode = "before"
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do to one request: wait ``latency_s``, then refuse it (``action``) or serve it."""

    latency_s: float
    action: Action | None
    fail_mode: FailMode


class FaultInjector:
    """Thread-safe current fault settings and the per-request decision."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._down_until = 0.0
        self._rng = random.Random()  # noqa: S311 - simulation, not security
        self.injected = {"down": 0, "fail": 0}
        if settings is not None:
            self.configure(settings)

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings
            self._down_until = (
                time.monotonic() + settings.down_for_seconds if settings.down_for_seconds else 0.0
            )
            self._rng = random.Random(settings.seed)  # noqa: S311 - simulation, not security

    def clear(self) -> None:
        self.configure(FaultSettings())

    def decide(self) -> Decision:
        with self._lock:
            s = self._settings
            action: Action | None = None
            if time.monotonic() < self._down_until:
                action = "down"
            elif s.fail_ratio and self._rng.random() < s.fail_ratio:
                action = "fail"
            if action is not None:
                self.injected[action] += 1
            return Decision(s.latency_ms / 1000.0, action, s.fail_mode)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            remaining = max(0.0, self._down_until - time.monotonic())
            return {
                **self._settings.model_dump(),
                "down_remaining_seconds": round(remaining, 3),
                "injected": dict(self.injected),
            }
