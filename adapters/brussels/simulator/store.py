"""The Brussels simulator's own database: BEV records received, keyed by message id.

The message id is the primary key, so a message delivered twice (the gateway retried after a
lost answer) cannot be stored twice even under concurrent requests: the second insert fails,
and the first acknowledgement is answered again. The same message id with *different* content
is a sender error (the gateway must never reuse an id), refused with a validation fault.

SQLite through SQLAlchemy Core; ``url=None`` keeps the database in memory (one connection,
shared by the server's threads). A file is opened in WAL mode with ``synchronous=NORMAL`` (a
receipt survives the simulator's crash; only a power loss may take the last commits) and its
writers take turns on a lock: SQLite has one writer, and threads queueing in its busy handler
sleep for milliseconds each time, which capped the simulator at ~100 receipts/s, below the
gateway's delivery rate it is there to measure.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from adapters.soap.acknowledgement import Acknowledgement
from gateway.errors import BrugValidationError, Violation
from gateway.models.bev import BevRecord

metadata = MetaData()

receipts = Table(
    "bev_receipts",
    metadata,
    Column("message_id", String(36), primary_key=True),
    Column("record_id", String(64), nullable=False, index=True),
    Column("bev_version", Integer, nullable=False),
    Column("sender", String(40), nullable=False),
    Column("content_digest", String(64), nullable=False),
    Column("record_json", Text, nullable=False),
    Column("received_at", String(40), nullable=False),  # ISO 8601 with offset, as acknowledged
)


def _engine(path: str | None) -> Engine:
    if path is None:
        return create_engine(
            "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


class BevStore:
    def __init__(self, path: str | None = None) -> None:
        self.engine = _engine(path)
        self._write = threading.Lock()
        metadata.create_all(self.engine)

    def receive(
        self, message_id: UUID, record: BevRecord, version: int, sender: str
    ) -> tuple[Acknowledgement, bool]:
        """Store ``record`` under ``message_id`` once; return (acknowledgement, first time?)."""
        record_json = record.model_dump_json()
        digest = hashlib.sha256(record_json.encode("utf-8")).hexdigest()
        now = datetime.now(UTC)
        row = {
            "message_id": str(message_id),
            "record_id": record.record_id,
            "bev_version": version,
            "sender": sender,
            "content_digest": digest,
            "record_json": record_json,
            "received_at": now.isoformat(),
        }
        try:
            with self._write, self.engine.begin() as conn:
                conn.execute(receipts.insert().values(**row))
            return Acknowledgement(message_id, "accepted", now), True
        except IntegrityError:
            pass
        with self.engine.connect() as conn:
            first = conn.execute(
                select(receipts.c.content_digest, receipts.c.received_at).where(
                    receipts.c.message_id == str(message_id)
                )
            ).one()
        if first.content_digest != digest:
            raise BrugValidationError(
                [
                    Violation(
                        "header.messageId",
                        "bev.message-id.reused",
                        "this message id was already used for a different record",
                        str(message_id),
                    )
                ],
                context="BEV delivery",
            )
        return (
            Acknowledgement(message_id, "accepted", datetime.fromisoformat(first.received_at)),
            False,
        )

    def latest(self, record_id: str) -> BevRecord | None:
        """The most recently received version of a dossier."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(receipts.c.record_json)
                .where(receipts.c.record_id == record_id)
                .order_by(receipts.c.received_at.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if found is None else BevRecord.model_validate_json(found)

    def stored_counts(self, message_id: str | None = None) -> dict[str, int]:
        """Rows per message id (each is 0 or 1 by construction: the proof a test asks for)."""
        query = select(receipts.c.message_id, func.count()).group_by(receipts.c.message_id)
        if message_id is not None:
            query = query.where(receipts.c.message_id == message_id)
        with self.engine.connect() as conn:
            return {str(mid): int(n) for mid, n in conn.execute(query)}
