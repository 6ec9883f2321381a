"""Builders shared by the audit tests."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.audit import AuditLog, AuditRecord, CheckpointSigner, SubjectHasher
from gateway.store import Store

SUBJECT_KEY = b"k" * 32


def pem(kind: str = "ec") -> bytes:
    key = (
        ec.generate_private_key(ec.SECP256R1())
        if kind == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def record(i: int, **changes: str) -> AuditRecord:
    fields = {
        "partner": "bev" if i % 2 else "federal",
        "operation": "NotifyTraining",
        "direction": "in" if i % 3 else "out",
        "message_id": f"m-{i}",
        "digest": f"{i:064x}",
        "outcome": "accepted",
        "signature_value": f"c2lnbmF0dXJl{i}",
        "insz": "85073003328",
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


def fill(store: Store, signer_pem: bytes, n: int, every: int = 5) -> AuditLog:
    log = AuditLog(
        store,
        subjects=SubjectHasher(SUBJECT_KEY),
        signer=CheckpointSigner.from_pem(signer_pem),
        checkpoint_every=every,
    )
    for i in range(1, n + 1):
        log.append(record(i))
    return log
