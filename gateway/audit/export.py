"""Exporting one period of the audit log with a proof an outsider can check.

The document holds the period's entries in full, the chain hash just before them
(``proof.prev_hash``), and the links from the last exported entry up to the first signed
checkpoint at or after it: for each of those only ``seq``, the digest of its fields and its hash,
so no data outside the period leaks. A verifier recomputes the chain from ``prev_hash`` through
the entries and the links and must land exactly on the checkpoint's signed hash; that proves the
exported entries are, unchanged and complete, the ones the gateway committed to. Entries newer
than the last checkpoint are exported as ``anchored: false`` (sign a checkpoint first to anchor
them).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from gateway.audit.chain import (
    GENESIS_HASH,
    checkpoint_payload,
    entry_fields,
    fields_digest,
    format_time,
    link_hash,
)
from gateway.audit.signing import CheckpointVerifier
from gateway.store.clock import as_utc
from gateway.store.database import Store
from gateway.store.tables import AuditCheckpointRow, AuditEntryRow, AuditHeadRow

FORMAT = "brug-audit-export/1"


def _checkpoint_json(cp: AuditCheckpointRow) -> dict[str, Any]:
    return {
        "seq": cp.seq,
        "entry_hash": cp.entry_hash,
        "created_at": format_time(cp.created_at),
        "key_id": cp.key_id,
        "algorithm": cp.algorithm,
        "signature": base64.b64encode(cp.signature).decode("ascii"),
    }


def export_period(store: Store, start: datetime, end: datetime) -> dict[str, Any]:
    """Entries recorded in ``[start, end)`` (by sequence range, so the slice is contiguous)."""
    start, end = as_utc(start), as_utc(end)
    with store.transaction() as session:
        in_period = (AuditEntryRow.recorded_at >= start) & (AuditEntryRow.recorded_at < end)
        first = session.scalar(select(func.min(AuditEntryRow.seq)).where(in_period))
        last = session.scalar(select(func.max(AuditEntryRow.seq)).where(in_period))
        head = session.get(AuditHeadRow, 1)
        doc: dict[str, Any] = {
            "format": FORMAT,
            "from": format_time(start),
            "to": format_time(end),
            "entries": [],
            "proof": {
                "prev_hash": None,
                "last_hash": None,
                "links": [],
                "checkpoints": [],
                "anchored": False,
                "head": {"seq": head.seq, "entry_hash": head.entry_hash} if head else None,
            },
        }
        if first is None or last is None:
            return doc
        rows = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.seq >= first, AuditEntryRow.seq <= last)
            .order_by(AuditEntryRow.seq)
        ).all()
        anchor = session.scalars(
            select(AuditCheckpointRow)
            .where(AuditCheckpointRow.seq >= last)
            .order_by(AuditCheckpointRow.seq)
            .limit(1)
        ).first()
        link_end = anchor.seq if anchor is not None else last
        links = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.seq > last, AuditEntryRow.seq <= link_end)
            .order_by(AuditEntryRow.seq)
        ).all()
        checkpoints = session.scalars(
            select(AuditCheckpointRow)
            .where(AuditCheckpointRow.seq >= first, AuditCheckpointRow.seq <= link_end)
            .order_by(AuditCheckpointRow.seq)
        ).all()
        proof = doc["proof"]
        proof["prev_hash"] = rows[0].prev_hash if rows else None
        proof["last_hash"] = rows[-1].entry_hash if rows else None
        proof["links"] = [
            {
                "seq": r.seq,
                "fields_digest": fields_digest(entry_fields(r)),
                "entry_hash": r.entry_hash,
            }
            for r in links
        ]
        proof["checkpoints"] = [_checkpoint_json(c) for c in checkpoints]
        proof["anchored"] = anchor is not None
        doc["entries"] = [{**entry_fields(r), "entry_hash": r.entry_hash} for r in rows]
    return doc


@dataclass(slots=True)
class ExportVerification:
    anchored_at: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.anchored_at is not None


def verify_export(doc: dict[str, Any], verifier: CheckpointVerifier) -> ExportVerification:
    """Recompute the chain of an export and check it ends on a validly signed checkpoint."""
    result = ExportVerification()
    if doc.get("format") != FORMAT:
        result.problems.append(f"not a {FORMAT} document")
        return result
    proof = doc["proof"]
    running: str = proof.get("prev_hash") or GENESIS_HASH
    hashes: dict[int, str] = {}
    expected_seq: int | None = None
    steps: list[tuple[int, str, str]] = []
    for entry in doc["entries"]:
        fields = {k: v for k, v in entry.items() if k != "entry_hash"}
        steps.append((int(entry["seq"]), fields_digest(fields), str(entry["entry_hash"])))
    steps += [
        (int(x["seq"]), str(x["fields_digest"]), str(x["entry_hash"])) for x in proof["links"]
    ]
    for seq, digest, claimed in steps:
        if expected_seq is not None and seq != expected_seq:
            result.problems.append(f"entry {expected_seq}: missing from the export")
            return result
        running = link_hash(running, digest)
        if running != claimed:
            result.problems.append(f"entry {seq}: does not chain (edited or out of order)")
            return result
        hashes[seq] = running
        expected_seq = seq + 1
    for cp in proof["checkpoints"]:
        seq = int(cp["seq"])
        if hashes.get(seq) != cp["entry_hash"]:
            result.problems.append(f"checkpoint {seq}: does not match the exported chain")
            continue
        payload = checkpoint_payload(
            seq, cp["entry_hash"], datetime.fromisoformat(cp["created_at"]), cp["key_id"]
        )
        if cp["key_id"] != verifier.key_id:
            result.problems.append(f"checkpoint {seq}: signed with another key")
        elif not verifier.verify(payload, base64.b64decode(cp["signature"])):
            result.problems.append(f"checkpoint {seq}: bad signature")
        elif result.anchored_at is None or seq > result.anchored_at:
            result.anchored_at = seq
    last = doc["entries"][-1]["seq"] if doc["entries"] else None
    if last is not None and (result.anchored_at is None or result.anchored_at < last):
        result.problems.append("the exported entries are not covered by a signed checkpoint")
    return result
