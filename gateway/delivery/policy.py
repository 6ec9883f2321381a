"""Per-partner delivery rules: how long to retry, how fast, and when to stop trying.

The budget of a transient failure (the partner is down or busy) is *time*: ``max_age`` from
acceptance, two days by default, so a maintenance window or a weekend outage turns no accepted
message into a dead letter. ``max_attempts`` bounds only failures of unknown kind (an answer
brug cannot trust or read): see :mod:`gateway.soap.outcome`.

The backoff delay is computed by tenacity (exponential with jitter) but never slept on: the
worker stores ``now + delay`` as the entry's ``next_attempt_at``. A restart therefore loses no
schedule, and a sleeping worker holds no lease while it waits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import tenacity


@dataclass(frozen=True, slots=True)
class PartnerPolicy:
    max_attempts: int = 12
    max_age: timedelta = timedelta(days=2)
    backoff_initial: timedelta = timedelta(seconds=2)
    backoff_max: timedelta = timedelta(minutes=30)
    backoff_jitter: timedelta = timedelta(seconds=1)
    breaker_failures: int = 5
    breaker_reset: timedelta = timedelta(seconds=30)
    breaker_reset_initial: timedelta = timedelta(seconds=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.breaker_failures < 1:
            raise ValueError("breaker_failures must be at least 1")

    def backoff(self, attempt: int) -> timedelta:
        """Delay before the attempt following failed attempt number ``attempt`` (1-based).

        ``initial * 2**(attempt-1)``, plus up to ``jitter`` so that entries that failed together
        do not all come back in the same instant, capped at ``backoff_max``.
        """
        wait = tenacity.wait_exponential_jitter(
            multiplier=self.backoff_initial.total_seconds(),
            max=self.backoff_max.total_seconds(),
            jitter=self.backoff_jitter.total_seconds(),
        )
        state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
        state.attempt_number = max(1, attempt)
        return timedelta(seconds=wait(state))


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    default: PartnerPolicy = field(default_factory=PartnerPolicy)
    partners: Mapping[str, PartnerPolicy] = field(default_factory=dict)

    def for_partner(self, partner: str) -> PartnerPolicy:
        return self.partners.get(partner, self.default)
