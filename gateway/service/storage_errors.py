"""Which failures mean "the store cannot take writes right now", and how REST says so.

A backend that gets a 500 does not know whether to retry; one that gets a 503 with
``Retry-After`` does, and its retry is safe because nothing was acknowledged: every write
commits its outbox entry, audit entry and idempotency record in one transaction *before* the
answer, so a failed commit leaves none of them and the resent request (same
``Idempotency-Key``) is processed as new. Everything committed before the outage stays
committed; the delivery loop resumes it when the store returns.

Counted as a storage outage:

* SQLAlchemy's :class:`~sqlalchemy.exc.OperationalError` (PostgreSQL stopped, unreachable or
  refusing connections, a connection terminated by the server; SQLite ``database or disk is
  full``, ``database is locked`` past the busy timeout, ``disk I/O error``),
  :class:`~sqlalchemy.exc.InterfaceError` (a connection closed under us),
  :class:`~sqlalchemy.exc.DisconnectionError` and the pool's
  :class:`~sqlalchemy.exc.TimeoutError` (all connections stuck on a dead server);
* :class:`gateway.store.database.StoreError`;
* :class:`OSError` with ``ENOSPC``/``EDQUOT``/``EIO``/``EROFS`` (a full or failing disk seen
  outside SQLite, e.g. the bulk endpoint's spool file).

Not counted: integrity and programming errors. Those are bugs, and a 503 would make clients
retry them forever.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from gateway.store.database import StoreError

log = logging.getLogger(__name__)

#: Seconds a client should wait before resending a write refused for a storage outage.
STORAGE_RETRY_AFTER = 5
STORAGE_ERROR = "storage_unavailable"
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})

#: Exception types to register a handler for (the handler then decides with
#: :func:`is_storage_unavailable`, because not every OSError is a disk problem).
STORAGE_EXCEPTION_TYPES: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
    StoreError,
    OSError,
)


def is_storage_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) says the store cannot be used right now."""
    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeoutError):
        return True
    if isinstance(exc, StoreError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in _DISK_ERRNOS
    return False


def storage_kind(exc: BaseException) -> str:
    """``disk_full`` or ``database_unavailable``: a hint for the operator, not a contract."""
    text = str(exc).lower()
    if "disk is full" in text or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC):
        return "disk_full"
    return "database_unavailable"


def storage_unavailable_body(exc: BaseException) -> dict[str, Any]:
    """The 503 body: stable ``error`` code, a message that never echoes the driver's text
    (it can hold SQL parameters, i.e. personal data), and when to retry."""
    return {
        "error": STORAGE_ERROR,
        "message": "the gateway cannot store requests right now; nothing of this request was "
        "stored, resend it (same Idempotency-Key) later",
        "reason": storage_kind(exc),
        "retry_after": STORAGE_RETRY_AFTER,
    }


async def storage_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette exception handler: 503 + ``Retry-After`` for a storage outage; anything else
    of the registered types is re-raised so it stays the 500 it was."""
    if not is_storage_unavailable(exc):
        raise exc
    log.warning(
        "%s %s: storage unavailable (%s)", request.method, request.url.path, type(exc).__name__
    )
    return JSONResponse(
        storage_unavailable_body(exc),
        status_code=503,
        headers={"Retry-After": str(STORAGE_RETRY_AFTER)},
    )


__all__ = [
    "STORAGE_ERROR",
    "STORAGE_EXCEPTION_TYPES",
    "STORAGE_RETRY_AFTER",
    "is_storage_unavailable",
    "storage_error_handler",
    "storage_unavailable_body",
]
