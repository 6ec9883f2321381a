"""wsu:Timestamp creation and freshness rules.

A Timestamp bounds how long a captured message can be replayed and, with the replay cache,
how long brug must remember signature values. Rules (all from the profile): Created not in the
future beyond the clock skew, Expires not passed, Expires - Created not over the profile's
maximum lifetime, Created not older than the maximum age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from gateway.wssecurity.faults import INVALID_SECURITY, MESSAGE_EXPIRED, WSSecurityFault
from gateway.wssecurity.profiles import Profile

_XSD_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$"
)
# What brug, WSS4J and .NET actually write: UTC, whole seconds or milliseconds. This exact shape
# is a subset of the general pattern above, and for it ``datetime.fromisoformat`` (C) returns the
# same value as the general path (Python): ~10x cheaper on every verified message.
_COMMON_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{3})?Z")


def format_time(moment: datetime) -> str:
    """xsd:dateTime in UTC with millisecond precision, as WSS4J writes it."""
    # isoformat (C) instead of strftime: ~4x cheaper, twice per signed message.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_time(text: str | None, what: str) -> datetime:
    """Parse an xsd:dateTime with an explicit zone (WS-Security requires UTC; offsets tolerated)."""
    if text is not None and _COMMON_UTC.fullmatch(text):
        try:
            return datetime.fromisoformat(text)  # aware, UTC (Python >= 3.11 reads the "Z")
        except ValueError:
            pass  # e.g. month 13: the general path below names the problem
    m = _XSD_DATETIME.match((text or "").strip())
    if not m:
        raise WSSecurityFault(
            INVALID_SECURITY, f"Timestamp {what} is not an xsd:dateTime with a time zone"
        )
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        tz: tzinfo = UTC
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        micro = int((frac or "0").ljust(6, "0")[:6])
        value = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
        )
    except ValueError:
        raise WSSecurityFault(INVALID_SECURITY, f"Timestamp {what} is not a valid date") from None
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class TimestampValues:
    created: datetime
    expires: datetime | None


class Freshness:
    """A profile's Timestamp rules with their durations computed once, not on every message.

    Reasons are only formatted on the failure path: on the success path this is comparisons.
    """

    __slots__ = ("_lifetime", "_max_age", "_profile", "_skew")

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._skew = timedelta(seconds=profile.clock_skew_seconds)
        self._max_age = timedelta(seconds=profile.max_age_seconds) + self._skew
        self._lifetime = timedelta(seconds=profile.max_timestamp_lifetime_seconds)

    def check(self, ts: TimestampValues, now: datetime) -> None:
        """Raise ``wsu:MessageExpired`` (or InvalidSecurity for a malformed window) when stale."""
        profile = self._profile
        if ts.created > now + self._skew:
            raise WSSecurityFault(
                MESSAGE_EXPIRED,
                f"Timestamp Created {format_time(ts.created)} is in the future "
                f"(receiver time {format_time(now)}, allowed skew {profile.clock_skew_seconds}s)",
            )
        if now - ts.created > self._max_age:
            raise WSSecurityFault(
                MESSAGE_EXPIRED,
                f"Timestamp Created {format_time(ts.created)} is older than "
                f"{profile.max_age_seconds}s (receiver time {format_time(now)})",
            )
        if ts.expires is None:
            return
        if ts.expires <= ts.created:
            raise WSSecurityFault(INVALID_SECURITY, "Timestamp Expires is not after Created")
        if ts.expires - ts.created > self._lifetime:
            raise WSSecurityFault(
                MESSAGE_EXPIRED,
                f"Timestamp lifetime exceeds the {profile.max_timestamp_lifetime_seconds}s "
                f"this profile ({profile.name}) allows",
            )
        if ts.expires < now - self._skew:
            raise WSSecurityFault(
                MESSAGE_EXPIRED,
                f"Timestamp expired at {format_time(ts.expires)} "
                f"(receiver time {format_time(now)})",
            )


def check_freshness(ts: TimestampValues, profile: Profile, now: datetime) -> None:
    """Raise ``wsu:MessageExpired`` (or InvalidSecurity for a malformed window) when stale."""
    Freshness(profile).check(ts, now)
