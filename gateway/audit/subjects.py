"""INSZ numbers in the audit log: a keyed hash, never the number.

The log must let an investigator ask "which messages concerned this person?" (hash the INSZ with
the same key, look it up) without turning the log into a register of national numbers. A plain
SHA-256 would not do: there are only ~10^9 valid INSZ, so an unkeyed hash is reversed by brute
force in minutes. HMAC-SHA256 with a secret key is not.
"""

from __future__ import annotations

import hashlib
import hmac

MIN_KEY_BYTES = 16


class SubjectHasher:
    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the subject hashing key needs at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def hash(self, insz: str) -> str:
        """HMAC-SHA256 of the digits of ``insz`` (so "85.07.30-033.28" and "85073003328"
        match). Not validated: the audit log also records rejected messages with bad numbers."""
        digits = "".join(ch for ch in insz if ch.isdigit())
        return hmac.new(self._key, digits.encode("ascii"), hashlib.sha256).hexdigest()
