"""``Idempotency-Key`` on every write, on top of the gateway's inbox.

A Flemish backend that times out does not know whether its registration went through; it must
be able to send the same request again without creating a second message to Brussels. The key
(draft-ietf-httpapi-idempotency-key-header) names the request; the inbox row keyed on
(``client:<client id>``, key) is written in the same transaction as the request's effect and
carries the first answer, so:

* same key, same body (SHA-256 of the raw bytes) → the first answer again, byte for byte, with
  ``Idempotent-Replayed: true``; nothing happens twice;
* same key, another body → 422 ``urn:problem-type:brug:idempotencyKeyReused`` (the key is
  not reusable);
* a failed request (4xx) stores nothing: its retry is simply checked again.

Keys are per client: two backends cannot collide or read each other's answers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from gateway.delivery.inbox import InboxConflict
from gateway.service.rest.errors import invalid
from gateway.store.database import Store
from gateway.store.tables import InboxRow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: No ``#``: bulk lines are recorded as ``bulk:<key>#<line>`` and must never meet a plain key.
_KEY = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
_KEY_RULE = f"send an {HEADER} header (1-128 characters A-Z a-z 0-9 . _ : / + = -)"

#: The header as an OpenAPI parameter (added through ``openapi_extra`` because a missing key
#: must be a 400 issue of brug's rule ``idempotency.key-missing``, not a generic one).
PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": True,
    "description": "A unique key per logical request (a UUID is fine). Sending the same request "
    "again with the same key returns the first answer and has no second effect; the same key "
    "with another body is refused (422 urn:problem-type:brug:idempotencyKeyReused).",
    "schema": {"type": "string", "pattern": _KEY.pattern, "maxLength": 128},
    "example": "7f1c1f0e-4b7a-4c38-9d1e-3f5d2a9b6c10",
}


def client_partner(client_id: str) -> str:
    """The inbox "partner" under which a REST client's keys are recorded."""
    return f"client:{client_id}"


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def idempotency_key(request: Request) -> str:
    """The request's key; 400 naming the header when it is missing or malformed."""
    value = request.headers.get(HEADER)
    if value is None or not _KEY.match(value.strip()):
        raise invalid(
            f"header.{HEADER}",
            "idempotency.key-missing" if value is None else "idempotency.key-invalid",
            _KEY_RULE,
            None if value is None else value[:80],
            context=HEADER,
        )
    return value.strip()


def encode_answer(status_code: int, body: bytes) -> bytes:
    """What the inbox keeps: the status line, a newline, then the body bytes as sent."""
    return b"%d\n" % status_code + body


def replay(answer: bytes) -> Response:
    """The first answer again; a 201/202 gets its ``Location`` back from the body's ``self``."""
    status, _, body = answer.partition(b"\n")
    headers = {REPLAYED_HEADER: "true"}
    if int(status) in (201, 202):
        try:
            link = json.loads(body).get("self")
        except (ValueError, AttributeError):
            link = None
        if isinstance(link, str):
            headers["Location"] = link
    return Response(body, status_code=int(status), media_type="application/json", headers=headers)


@dataclass(frozen=True, slots=True)
class Seen:
    digest: str
    answer: bytes | None  # None while the first request is still running


def lookup(store: Store, partner: str, keys: Iterable[str]) -> dict[str, Seen]:
    """What the inbox already holds for ``keys`` (one query; read-only).

    Checked *before* the work so that a retry is answered without mapping and signing again
    (and with the first answer even if the catalogue changed since); the transaction that
    applies the effect still calls ``Inbox.begin``, which settles a race between two copies.
    """
    wanted = list(keys)
    if not wanted:
        return {}
    stmt = select(InboxRow.message_id, InboxRow.request_digest, InboxRow.answer).where(
        InboxRow.partner == partner, InboxRow.message_id.in_(wanted)
    )
    with store.join(None) as session:
        return {m: Seen(d, a) for m, d, a in session.execute(stmt)}


def check_seen(seen: Seen | None, key: str, digest: str) -> bytes | None:
    """The first answer to replay, None to go ahead; raises on a reused key."""
    if seen is None:
        return None
    if seen.digest != digest:
        raise InboxConflict(f"idempotency key {key!r} reused with a different body")
    return seen.answer
