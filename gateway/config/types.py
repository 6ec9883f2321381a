"""Value types shared by the configuration sections: durations, scopes, names, fingerprints.

Durations accept what an operator naturally writes in TOML (``300``, ``"5m"``, ``"2d"``) as well
as ISO 8601 (``"PT5M"``), so that no key needs a unit in its name and no one has to remember
whether ``timeout = 30`` meant seconds or milliseconds: a bare number is always seconds.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from gateway.wssecurity.trust import normalise_pin

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")


def _parse_duration(value: Any) -> Any:
    """``"90s"``, ``"5m"``, ``"1.5h"``, ``"2d"``; anything else is left to pydantic's timedelta
    parser (numbers of seconds, ISO 8601 ``"PT5M"``, ``"HH:MM:SS"``)."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be a positive duration")
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration), AfterValidator(_positive)]
"""A strictly positive duration: seconds as a number, ``"30s"``/``"5m"``/``"2h"``/``"1d"``, or ISO
8601."""

Scope = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$")]
"""An OAuth2 scope as brug names them: ``resource:action`` in lower case (``vov:write``)."""

PartyName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
"""A partner name, the same shape as a party code in the message header (``brussels``)."""

# At most 90 characters: the id is stored as an outbox origin and as ``client:<id>`` in the
# inbox (100-character columns).
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,89}$")]
"""A REST client id: printable, no spaces, safe in a log line and a metric label."""


def _fingerprint(value: str) -> str:
    """Normalise to lower-case hex without colons; raises for anything but 32 bytes."""
    try:
        return normalise_pin(value).hex()
    except ValueError as exc:
        raise ValueError("expected a SHA-256 fingerprint: 64 hex digits, colons allowed") from exc


Sha256Fingerprint = Annotated[str, AfterValidator(_fingerprint)]
"""A SHA-256 certificate fingerprint (over the DER), stored as 64 lower-case hex digits."""
