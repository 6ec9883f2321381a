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


def format_time(moment: datetime) -> str:
    """xsd:dateTime in UTC with millisecond precision, as WSS4J writes it."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str | None, what: str) -> datetime:
    """Parse an xsd:dateTime with an explicit zone (WS-Security requires UTC; offsets tolerated)."""
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


def check_freshness(ts: TimestampValues, profile: Profile, now: datetime) -> None:
    """Raise ``wsu:MessageExpired`` (or InvalidSecurity for a malformed window) when stale."""
    skew = timedelta(seconds=profile.clock_skew_seconds)
    if ts.created > now + skew:
        raise WSSecurityFault(
            MESSAGE_EXPIRED,
            f"Timestamp Created {format_time(ts.created)} is in the future "
            f"(receiver time {format_time(now)}, allowed skew {profile.clock_skew_seconds}s)",
        )
    if now - ts.created > timedelta(seconds=profile.max_age_seconds) + skew:
        raise WSSecurityFault(
            MESSAGE_EXPIRED,
            f"Timestamp Created {format_time(ts.created)} is older than "
            f"{profile.max_age_seconds}s (receiver time {format_time(now)})",
        )
    if ts.expires is None:
        return
    if ts.expires <= ts.created:
        raise WSSecurityFault(INVALID_SECURITY, "Timestamp Expires is not after Created")
    if ts.expires - ts.created > timedelta(seconds=profile.max_timestamp_lifetime_seconds):
        raise WSSecurityFault(
            MESSAGE_EXPIRED,
            f"Timestamp lifetime exceeds the {profile.max_timestamp_lifetime_seconds}s "
            f"this profile ({profile.name}) allows",
        )
    if ts.expires < now - skew:
        raise WSSecurityFault(
            MESSAGE_EXPIRED,
            f"Timestamp expired at {format_time(ts.expires)} (receiver time {format_time(now)})",
        )
