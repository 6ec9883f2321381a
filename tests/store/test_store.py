"""The store itself: SQLite durability settings, URL handling, migrations, time handling."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from lxml import etree
from sqlalchemy import text

from gateway.delivery import Outbox
from gateway.store import Store, StoreError
from gateway.store.digest import content_digest
from gateway.store.migrate import alembic_config, current_revision, head_revision, upgrade
from gateway.store.tables import Base, ReplayRow
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import signer
from tests.support.store import FakeClock


def test_sqlite_is_opened_for_durability(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    store.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "not a database URL"),
        ("sqlite://", "needs a file path"),
        ("sqlite:///:memory:", "needs a file path"),
        ("mysql://x@y/z", "unsupported database"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store(url)


def test_migrations_are_idempotent_and_match_the_models(store: Store) -> None:
    assert current_revision(store) == head_revision() == "0005"
    store.upgrade()  # a second run is a no-op
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


_LEGACY_OUTBOX_ROW = text(
    "INSERT INTO outbox (message_id, partner, operation, payload, digest, status, attempts,"
    " next_attempt_at, created_at) VALUES ('legacy-1', 'brussels', 'ReceiveBevRecord', :payload,"
    " :digest, 'pending', 0, :now, :now)"
)


def test_0003_adds_outbox_origin_to_an_existing_0002_database(
    store_url: str, clock: FakeClock
) -> None:
    """An outbox queued under 0002 survives the upgrade: its rows read origin NULL, and new
    entries record theirs."""
    store = Store(store_url, clock=clock)
    try:
        upgrade(store, "0002")
        assert current_revision(store) == "0002"
        with store.begin() as conn:
            conn.execute(
                _LEGACY_OUTBOX_ROW, {"payload": b"<signed/>", "digest": "0" * 64, "now": clock()}
            )
        upgrade(store, "0003")
        assert current_revision(store) == "0003"
        outbox = Outbox(store)
        (legacy,) = outbox.find_message("legacy-1")
        assert legacy.origin is None
        assert legacy.payload == b"<signed/>" and legacy.status == "pending"
        queued = outbox.enqueue(
            partner="brussels",
            message_id="new-1",
            operation="ReceiveBevRecord",
            payload=b"<new/>",
            origin="wse-vov-backend",
        )
        assert queued.origin == "wse-vov-backend"
        assert outbox.find_message("new-1")[0].origin == "wse-vov-backend"
        # and back down: 0002 again, the rows still there
        command.downgrade(alembic_config(store), "0002")
        assert current_revision(store) == "0002"
        with store.engine.connect() as conn:
            ids = conn.execute(text("SELECT message_id FROM outbox ORDER BY id")).scalars().all()
        assert ids == ["legacy-1", "new-1"]
    finally:
        store.dispose()


def test_0004_unsigns_queued_messages_and_keeps_old_audit_entries_valid(
    store_url: str, clock: FakeClock, pki: PkiLayout
) -> None:
    """Entries queued signed (before 0004) lose brug's WS-Security header, Body untouched;
    delivered ones keep theirs as proof; an entry without ``sent_at`` hashes as before."""
    from gateway.audit.chain import AuditRecord, entry_fields
    from gateway.audit.log import AuditLog
    from gateway.audit.verify import verify_chain
    from gateway.soap.envelope import build_envelope

    unsigned = build_envelope(etree.fromstring(b"<m xmlns='urn:t'>body</m>"))
    signed = signer(pki).sign(unsigned)
    store = Store(store_url, clock=clock)
    try:
        upgrade(store, "0003")
        with store.begin() as conn:
            for message_id, status in (("legacy-1", "pending"), ("legacy-2", "delivered")):
                conn.execute(
                    text(
                        "INSERT INTO outbox (message_id, partner, operation, payload, digest,"
                        " status, attempts, next_attempt_at, created_at) VALUES (:m, 'brussels',"
                        " 'ReceiveBevRecord', :p, :d, :s, 0, :now, :now)"
                    ),
                    {"m": message_id, "p": signed, "d": "0" * 64, "s": status, "now": clock()},
                )
        upgrade(store, "0004")
        assert current_revision(store) == "0004"
        pending = Outbox(store).find_message("legacy-1")[0]
        assert b"Security" not in pending.payload and b"body</m>" in pending.payload
        assert pending.digest == content_digest(pending.payload)
        assert Outbox(store).find_message("legacy-2")[0].payload == signed  # proof kept
        log = AuditLog(store)
        accepted = log.append(AuditRecord("brussels", "op", "out", "m-1", "0" * 64, "accepted"))
        assert "sent_at" not in entry_fields(accepted)  # hashed exactly as before 0004
        attempt = log.append(
            AuditRecord(
                "brussels",
                "op",
                "out",
                "m-1",
                "0" * 64,
                "attempt 1: delivered",
                signature_value="c2ln",
                sent_at="2026-12-07T10:00:00.000Z",
            )
        )
        assert entry_fields(attempt)["sent_at"] == "2026-12-07T10:00:00.000Z"
        assert verify_chain(store).ok
    finally:
        store.dispose()


def test_audit_chain_head_is_seeded(store: Store) -> None:
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT seq, entry_hash FROM audit_head")).one()
    assert tuple(row) == (0, "0" * 64)


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="aware"), store.transaction() as tx:
        tx.add(ReplayRow(key="k", expires_at=datetime(2026, 1, 1)))
        tx.flush()


def test_unit_of_work_rolls_back_everything(store: Store, clock: object) -> None:
    from gateway.store import SqlReplayCache

    cache = SqlReplayCache(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        assert cache.check_and_store("a", store.clock(), tx=tx)
        raise RuntimeError("effect failed")
    with store.transaction() as tx:
        assert tx.get(ReplayRow, "a") is None


def test_a_reader_does_not_hold_the_write_lock(store: Store) -> None:
    """``Store.read`` (the console's polling queries): a writer commits while a read
    transaction is open, and the reader keeps its own snapshot until it ends."""
    outbox = Outbox(store)
    outbox.enqueue(partner="p", message_id="before", operation="op", payload=b"<a/>")
    with store.read() as reader:
        assert reader.execute(text("SELECT count(*) FROM outbox")).scalar() == 1
        # On SQLite a BEGIN IMMEDIATE reader would make this wait out the busy timeout (30 s).
        outbox.enqueue(partner="p", message_id="during", operation="op", payload=b"<b/>")
        assert reader.execute(text("SELECT count(*) FROM outbox")).scalar() == 1
    with store.read() as reader:
        assert reader.execute(text("SELECT count(*) FROM outbox")).scalar() == 2
