"""The brug message header must agree with the signature that carried it.

WS-Security proves *which certificate* signed the Body; the brug header inside the Body says
*who claims* to send it, to whom and when. A partner whose signature verified could otherwise
state another party as sender (and have answers or audit entries attributed to it), address a
message meant for someone else to brug, or replay a business message of last year under a
fresh WS-Security Timestamp. So, after verification and before anything is applied:

* ``header.sender``: the header's sender code is the verified partner's party code
  (``[partners.<name>] party``, by default ``brussels-bee`` / ``federal-rva``);
* ``header.recipient``: the recipient is brug (``[server] party``, by default ``flanders-wse``);
* ``header.timestamp``: the header's timestamp is not later than now plus the partner profile's
  clock skew, nor older than ``[partners.<name>] header_max_age`` (two days by default, the same
  budget brug gives its own retries; the WS-Security Timestamp bounds the transmission to the
  profile's minutes).

Each refusal is a Client fault naming its rule; nothing is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.errors import Violation
from gateway.models.header import MessageHeader
from gateway.service.context import Partner
from gateway.service.soap.replies import ClientRefusal

SENDER_RULE = "header.sender"
RECIPIENT_RULE = "header.recipient"
TIMESTAMP_RULE = "header.timestamp"


def header_violations(
    partner: Partner, header: MessageHeader, own_party: str, now: datetime
) -> list[Violation]:
    """Every way ``header`` disagrees with the verified ``partner`` (empty: it agrees)."""
    found: list[Violation] = []
    if header.sender.code != partner.party:
        found.append(
            Violation(
                "header.sender.code",
                SENDER_RULE,
                f"the sender must be the partner whose signature was verified "
                f"({partner.name}: {partner.party})",
                header.sender.code,
            )
        )
    if header.recipient.code != own_party:
        found.append(
            Violation(
                "header.recipient.code",
                RECIPIENT_RULE,
                f"the recipient must be this gateway ({own_party})",
                header.recipient.code,
            )
        )
    skew = timedelta(seconds=partner.verifier.profile.clock_skew_seconds)
    max_age = partner.config.header_max_age
    stamped = header.timestamp.astimezone(UTC)
    if stamped > now + skew:
        found.append(
            Violation(
                "header.timestamp",
                TIMESTAMP_RULE,
                f"in the future (receiver time {_iso(now)}, allowed skew "
                f"{int(skew.total_seconds())}s)",
                _iso(stamped),
            )
        )
    elif now - stamped > max_age + skew:
        found.append(
            Violation(
                "header.timestamp",
                TIMESTAMP_RULE,
                f"older than the {_human(max_age)} accepted from {partner.name} "
                f"(receiver time {_iso(now)})",
                _iso(stamped),
            )
        )
    return found


def bind_header(
    partner: Partner, header: MessageHeader, own_party: str, now: datetime | None = None
) -> None:
    """Raise :class:`ClientRefusal` unless ``header`` agrees with the verified ``partner``."""
    violations = header_violations(partner, header, own_party, now or datetime.now(UTC))
    if violations:
        reason = "the message header does not match the verified sender: " + "; ".join(
            f"{v.rule} {v.message}" for v in violations
        )
        raise ClientRefusal(reason, violations, "message header")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _human(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day(s)"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    return f"{seconds} s"
