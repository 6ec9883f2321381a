"""One correlation id per unit of work, from the incoming request to every partner call it causes.

The id lives in a :class:`~contextvars.ContextVar`, so it follows the request across ``await``
points and into ``run_in_threadpool`` without being passed through every function. It is taken
from the caller's ``X-Correlation-ID`` header when that is well formed (so a Flemish backend can
follow its own id through brug's logs), and generated otherwise. It leaves brug twice on each
partner call: as the HTTP header and as ``correlationId`` in the brug message header inside the
SOAP envelope, which survives intermediaries (Fidus, MAGDA) that drop unknown HTTP headers.

An incoming id is refused (and replaced) when it is longer than the message header allows (64),
has characters that could forge a log line, or contains something shaped like an INSZ: the id is
echoed in responses, logs and partner messages, and must never carry personal data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token

import httpx

from gateway.models.header import MessageHeader
from gateway.observability.redaction import contains_insz

CORRELATION_HEADER = "X-Correlation-ID"
MAX_LENGTH = 64  # MessageHeader.correlation_id max_length
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")

_current: ContextVar[str | None] = ContextVar("brug_correlation_id", default=None)


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def is_acceptable(value: str) -> bool:
    return bool(_WELL_FORMED.match(value)) and not contains_insz(value)


def accept_correlation_id(incoming: str | None) -> str:
    """The caller's id when it is acceptable, a new one otherwise."""
    if incoming is not None:
        candidate = incoming.strip()
        if is_acceptable(candidate):
            return candidate
    return new_correlation_id()


def current_correlation_id() -> str | None:
    return _current.get()


def bind_correlation_id(value: str) -> Token[str | None]:
    """Make ``value`` current until :func:`unbind_correlation_id` (the middleware's pair)."""
    return _current.set(value)


def unbind_correlation_id(token: Token[str | None]) -> None:
    _current.reset(token)


@contextmanager
def correlation_scope(correlation_id: str | None = None) -> Iterator[str]:
    """Run a block under ``correlation_id`` (a new one if None): for workers and CLI commands,
    which have no incoming request to take it from."""
    value = accept_correlation_id(correlation_id)
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


def outgoing_headers(headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """``headers`` plus ``X-Correlation-ID`` for a partner call (unchanged outside a scope)."""
    out = dict(headers or {})
    current = _current.get()
    if current is not None and CORRELATION_HEADER not in out:
        out[CORRELATION_HEADER] = current
    return out


def add_correlation_header(request: httpx.Request) -> None:
    """An httpx request hook.

    ``httpx.Client(event_hooks={"request": [add_correlation_header]})``
    """
    current = _current.get()
    if current is not None and CORRELATION_HEADER not in request.headers:
        request.headers[CORRELATION_HEADER] = current


async def add_correlation_header_async(request: httpx.Request) -> None:
    """The same hook for ``httpx.AsyncClient`` (its hooks must be coroutines)."""
    add_correlation_header(request)


def with_correlation(header: MessageHeader) -> MessageHeader:
    """The brug message header with ``correlationId`` set from the current scope, if unset."""
    current = _current.get()
    if header.correlation_id is not None or current is None:
        return header
    return header.model_copy(update={"correlation_id": current})
