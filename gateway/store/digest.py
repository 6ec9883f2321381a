"""Content digests: one algorithm everywhere, so an outbox digest and an inbox digest compare."""

from __future__ import annotations

import hashlib


def content_digest(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex: detects a different payload behind a reused id."""
    return hashlib.sha256(data).hexdigest()
