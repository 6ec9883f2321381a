"""The audit log: an append-only, hash-chained record of every message in and out.

Each entry's hash covers the previous entry's hash and a canonical JSON of its own fields, so
editing, deleting or reordering a row breaks the chain at that row. Periodic checkpoints sign the
chain head with the gateway's key, so even an attacker who recomputes every hash after an edit
cannot produce a matching signature.
"""

from __future__ import annotations

from gateway.audit.chain import GENESIS_HASH, AuditRecord
from gateway.audit.export import ExportVerification, export_period, verify_export
from gateway.audit.log import AuditLog
from gateway.audit.signing import CheckpointSigner, CheckpointVerifier
from gateway.audit.subjects import SubjectHasher
from gateway.audit.verify import ChainProblem, VerificationReport, verify_chain

__all__ = [
    "GENESIS_HASH",
    "AuditLog",
    "AuditRecord",
    "ChainProblem",
    "CheckpointSigner",
    "CheckpointVerifier",
    "ExportVerification",
    "SubjectHasher",
    "VerificationReport",
    "export_period",
    "verify_chain",
    "verify_export",
]
