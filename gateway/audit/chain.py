"""How an audit entry is hashed: the one definition the writer and every verifier share.

``entry_hash = SHA-256(prev_hash || SHA-256(canonical_json(fields)))`` (hex strings
concatenated). Hashing the fields first lets an export prove that entries outside the exported
period link the chain to a checkpoint by giving only their field digests, never their content.
Canonical JSON: sorted keys, no whitespace, UTF-8, times as ISO 8601 UTC with microseconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from gateway.store.tables import AuditEntryRow

GENESIS_HASH = "0" * 64

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One message in or out, as the caller describes it (``insz`` is hashed, never stored)."""

    partner: str
    operation: str
    direction: Direction
    message_id: str
    digest: str
    outcome: str
    signature_value: str | None = None
    insz: str | None = None
    #: for a delivery attempt: the wsu:Created of the Timestamp it was signed with
    sent_at: str | None = None


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """An entry as the writer chained it (what ``AuditLog.append`` returns): the stored row's
    values without an ORM instance, which cost more than hashing it on bulk intake."""

    seq: int
    recorded_at: datetime
    partner: str
    operation: str
    direction: str
    message_id: str
    digest: str
    signature_value: str | None
    outcome: str
    subject: str | None
    sent_at: str | None
    prev_hash: str
    entry_hash: str


def entry_fields(row: AuditEntryRow | ChainedEntry) -> dict[str, Any]:
    """The hashed fields of a stored entry (everything but the two hashes).

    ``sent_at`` (a delivery attempt's Timestamp, since migration 0004) is hashed only when set,
    so that every entry written before it still verifies.
    """
    fields = {
        "seq": row.seq,
        "recorded_at": format_time(row.recorded_at),
        "partner": row.partner,
        "operation": row.operation,
        "direction": row.direction,
        "message_id": row.message_id,
        "digest": row.digest,
        "signature_value": row.signature_value,
        "outcome": row.outcome,
        "subject": row.subject,
    }
    if row.sent_at is not None:
        fields["sent_at"] = row.sent_at
    return fields


def fields_digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def link_hash(prev_hash: str, digest_of_fields: str) -> str:
    return hashlib.sha256((prev_hash + digest_of_fields).encode("ascii")).hexdigest()


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return link_hash(prev_hash, fields_digest(fields))


def checkpoint_payload(seq: int, head_hash: str, created_at: datetime, key_id: str) -> bytes:
    """The bytes a checkpoint signature covers."""
    return canonical_json(
        {
            "type": "brug-audit-checkpoint/1",
            "seq": seq,
            "entry_hash": head_hash,
            "created_at": format_time(created_at),
            "key_id": key_id,
        }
    )
