"""A circuit breaker per partner: stop sending to a partner that keeps failing.

Closed: messages flow; ``failures`` consecutive transient failures open it. Open: nothing is sent
to that partner (entries are handed back without using an attempt) until the reset time has
passed. Half-open: one trial message goes through; success closes the circuit (and the worker
makes the partner's waiting entries due at once), failure opens it again.

The reset time starts short (``breaker_reset_initial``) and doubles with every failed trial up
to ``breaker_reset``: a partner that lost a few answers is tried again within a second or two,
one that is down for hours is asked at most once per ``breaker_reset``.
The state is per worker process (cheap, no coordination); with N workers a down partner sees at
most N trial messages per reset period.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gateway.delivery.policy import DeliveryPolicy
from gateway.store.clock import Clock, utcnow


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class _Circuit:
    state: CircuitState = CircuitState.CLOSED
    failures: int = 0
    opened_at: datetime | None = None
    trial_in_progress: bool = False
    trips: int = 0  # consecutive openings without a success in between


class CircuitBreaker:
    def __init__(self, policy: DeliveryPolicy, *, clock: Clock = utcnow) -> None:
        self._policy = policy
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}
        self._lock = threading.Lock()

    def state(self, partner: str) -> CircuitState:
        with self._lock:
            return self._refresh(partner).state

    def allow(self, partner: str) -> bool:
        """May a message go to ``partner`` now? In half-open, only the first caller may."""
        with self._lock:
            circuit = self._refresh(partner)
            if circuit.state is CircuitState.CLOSED:
                return True
            if circuit.state is CircuitState.HALF_OPEN and not circuit.trial_in_progress:
                circuit.trial_in_progress = True
                return True
            return False

    def retry_at(self, partner: str) -> datetime:
        """When an entry refused by an open circuit should be looked at again."""
        with self._lock:
            circuit = self._refresh(partner)
            if circuit.opened_at is None:
                return self._clock()
            return circuit.opened_at + self._reset(partner, circuit)

    def open_partners(self) -> list[str]:
        """Partners not to claim for: open, or half-open with the trial already out."""
        with self._lock:
            return [
                p
                for p in list(self._circuits)
                if self._refresh(p).state is CircuitState.OPEN
                or (
                    self._circuits[p].state is CircuitState.HALF_OPEN
                    and self._circuits[p].trial_in_progress
                )
            ]

    def record_success(self, partner: str) -> bool:
        """The partner answered; True when that closes a circuit that was not closed."""
        with self._lock:
            previous = self._circuits.get(partner)
            self._circuits[partner] = _Circuit()
            return previous is not None and previous.state is not CircuitState.CLOSED

    def record_failure(self, partner: str) -> None:
        """A transient failure (a permanent refusal says the partner is up, so it is a success)."""
        with self._lock:
            circuit = self._refresh(partner)
            circuit.failures += 1
            threshold = self._policy.for_partner(partner).breaker_failures
            if circuit.state is CircuitState.HALF_OPEN or circuit.failures >= threshold:
                if circuit.state is not CircuitState.OPEN:
                    circuit.trips += 1
                circuit.state = CircuitState.OPEN
                circuit.opened_at = self._clock()
                circuit.trial_in_progress = False

    def _refresh(self, partner: str) -> _Circuit:
        circuit = self._circuits.setdefault(partner, _Circuit())
        if (
            circuit.state is CircuitState.OPEN
            and circuit.opened_at is not None
            and self._clock() >= circuit.opened_at + self._reset(partner, circuit)
        ):
            circuit.state = CircuitState.HALF_OPEN
            circuit.trial_in_progress = False
        return circuit

    def _reset(self, partner: str, circuit: _Circuit) -> timedelta:
        policy = self._policy.for_partner(partner)
        # Doubling stops once it passes the maximum (30 doublings of a microsecond already
        # exceed any sensible cool-down; an unbounded exponent overflows timedelta).
        doublings = min(max(0, circuit.trips - 1), 40)
        grown: timedelta = policy.breaker_reset_initial * (2**doublings)
        return min(grown, policy.breaker_reset)
