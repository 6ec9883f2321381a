"""What may appear in a report: messages and reasons with secrets and personal data removed.

Reports are attached to tickets and CI artefacts, read by people who must not get key
material or a worker's national number from them. Redaction is applied to everything a report
shows (requests, answers, reasons), so a new report section cannot forget it:

* PEM private keys are removed whole;
* ``BinarySecurityToken`` and ``SignatureValue`` contents are shortened to their first
  characters and length (enough to tell two messages apart, useless to anyone else);
* any 11-digit number (an INSZ/NISS wherever it hides: element text, a fault message, an
  attribute) is masked with :func:`gateway.identifiers.insz.mask_insz`.
"""

from __future__ import annotations

import re

from gateway.identifiers.insz import mask_insz

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL
)
_SHORTENED = re.compile(
    r"(<(?:[\w.-]+:)?(BinarySecurityToken|SignatureValue)\b[^>]*>)([^<]*)(</)", re.DOTALL
)
_INSZ = re.compile(r"(?<![0-9])[0-9]{11}(?![0-9])")
KEEP = 12


def _shorten(match: re.Match[str]) -> str:
    value = "".join(match.group(3).split())
    if len(value) <= KEEP:
        return match.group(0)
    return f"{match.group(1)}{value[:KEEP]}…[{len(value)} chars]{match.group(4)}"


def redact(text: str) -> str:
    text = _PRIVATE_KEY.sub("[private key removed]", text)
    text = _SHORTENED.sub(_shorten, text)
    return _INSZ.sub(lambda m: mask_insz(m.group(0)), text)


_UNCLOSED = re.compile(
    r"(<(?:[\w.-]+:)?(?:BinarySecurityToken|SignatureValue)\b[^>]*>)([^<]*)$", re.DOTALL
)


def redact_bytes(data: bytes, limit: int = 8192) -> str:
    """Decoded, redacted, then cut at ``limit`` characters (an oversized request is 11 MB).

    Redaction comes before the final cut so that a cut never leaves part of an INSZ or of a
    token unmasked; the first, generous cut only bounds the work.
    """
    total = len(data)
    text = data[: limit * 4].decode("utf-8", "replace")
    text = _UNCLOSED.sub(lambda m: f"{m.group(1)}{m.group(2)[:KEEP]}…", redact(text))
    if total > limit or len(text) > limit:
        text = text[:limit] + f"\n… [{total} bytes in all, the rest not shown]"
    return text
