"""Which failures mean "the store cannot take writes right now" (REST answers them with a 503
``serviceUnavailable`` problem and ``Retry-After``: :mod:`gateway.service.rest.errors`).

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

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from gateway.store.database import StoreError

log = logging.getLogger(__name__)

#: Seconds a client should wait before resending a write refused for a storage outage.
STORAGE_RETRY_AFTER = 5
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


__all__ = [
    "STORAGE_EXCEPTION_TYPES",
    "STORAGE_RETRY_AFTER",
    "is_storage_unavailable",
    "storage_kind",
]
