"""Time as the store sees it: always timezone-aware UTC, and injectable.

Every comparison (lease expiry, next attempt, replay expiry) uses a time passed in from Python
rather than the database's ``now()``, so tests can move time and SQLite and PostgreSQL behave
the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Refuse naive datetimes: a naive time in a distributed queue is a bug waiting to happen."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an aware (UTC) one is required")
    return value.astimezone(UTC)
