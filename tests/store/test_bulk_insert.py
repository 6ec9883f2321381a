"""``insert_rows``: one statement per table for a batch, the same rows as a Core insert writes.

On PostgreSQL the rows travel as one array per column (``unnest``): these tests read them back
on both backends, with the values that are awkward in arrays (quotes, braces, backslashes,
commas, NULLs, bytes, aware datetimes, numerics), a row missing keys, and duplicates skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gateway.store import Store
from gateway.store.bulk_insert import insert_rows
from gateway.store.tables import InboxRow, IntakeFactRow, OutboxRow, core_table

INBOX = core_table(InboxRow)
OUTBOX = core_table(OutboxRow)
FACTS = core_table(IntakeFactRow)
WHEN = datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=UTC)

# What PostgreSQL text can hold (no NUL) and the array syntax's special characters, often.
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("\"{},\\ 'NULL;é€\n\t"), st.characters(blacklist_categories=("Cs",))
    ).filter(lambda c: c != "\x00"),
    max_size=40,
)


def _outbox_row(message_id: str, **extra: object) -> dict[str, object]:
    return {
        "message_id": message_id,
        "partner": "brussels",
        "operation": "ReceiveBevRecord",
        "payload": b'<a>\x00\xff{},"</a>',
        "digest": "d" * 64,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": WHEN,
        "created_at": WHEN + timedelta(hours=1),
        "correlation_id": None,
        "origin": "backend",
        **extra,
    }


def test_rows_read_back_as_written(store: Store) -> None:
    rows = [
        _outbox_row("m-1", correlation_id='a "quoted", {braced} \\ value'),
        _outbox_row("m-2"),
    ]
    with store.transaction() as tx:
        assert insert_rows(tx.connection(), OUTBOX, rows) == []
    with store.transaction() as tx:
        stored = tx.execute(select(OutboxRow).order_by(OutboxRow.message_id)).scalars().all()
    assert [r.message_id for r in stored] == ["m-1", "m-2"]
    assert stored[0].payload == rows[0]["payload"]
    assert stored[0].correlation_id == rows[0]["correlation_id"]
    assert stored[1].correlation_id is None
    assert stored[0].next_attempt_at == WHEN  # aware UTC in, aware UTC out (bind processor)
    assert stored[0].created_at == WHEN + timedelta(hours=1)


def test_a_missing_key_inserts_null_and_numerics_keep_their_value(store: Store) -> None:
    common = {"received_at": WHEN, "school_year": "2025-2026", "channel": "bulk"}
    rows = [
        {**common, "outcome": "routed", "contact_hours": 32.5, "message_id": "m-1"},
        {**common, "outcome": "refused", "rule": "insz.checksum"},  # no hours, no message id
    ]
    with store.transaction() as tx:
        insert_rows(tx.connection(), FACTS, rows)
    with store.transaction() as tx:
        stored = tx.execute(select(IntakeFactRow).order_by(IntakeFactRow.id)).scalars().all()
    assert [(r.outcome, r.contact_hours, r.rule, r.message_id) for r in stored] == [
        ("routed", 32.5, None, "m-1"),
        ("refused", None, "insz.checksum", None),
    ]


def test_duplicates_are_skipped_and_only_new_rows_returned(store: Store) -> None:
    def row(message_id: str) -> dict[str, object]:
        return {
            "partner": "backend",
            "message_id": message_id,
            "request_digest": "r" * 64,
            "answer": b"{}",
            "status": "answered",
            "created_at": WHEN,
            "answered_at": WHEN,
        }

    def insert(ids: list[str]) -> set[tuple[str, str]]:
        with store.transaction() as tx:
            returned = insert_rows(
                tx.connection(),
                INBOX,
                [row(i) for i in ids],
                conflict=("partner", "message_id"),
                returning=("partner", "message_id"),
            )
        return {(str(r[0]), str(r[1])) for r in returned}

    assert insert(["a", "b"]) == {("backend", "a"), ("backend", "b")}
    assert insert(["b", "c"]) == {("backend", "c")}
    with store.transaction() as tx:
        assert len(tx.execute(select(InboxRow)).all()) == 3


def test_nothing_to_insert_runs_no_statement(store: Store) -> None:
    with store.transaction() as tx:
        assert insert_rows(tx.connection(), OUTBOX, []) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(st.one_of(st.none(), _TEXT), min_size=1, max_size=8))
def test_any_text_round_trips(store: Store, texts: list[str | None]) -> None:
    """Array encoding never changes a value: each text comes back exactly (or NULL)."""
    prefix = f"p-{datetime.now(UTC).timestamp()}-"
    rows = [_outbox_row(f"{prefix}{n}", correlation_id=t) for n, t in enumerate(texts)]
    with store.transaction() as tx:
        insert_rows(tx.connection(), OUTBOX, rows)
    with store.transaction() as tx:
        stored = dict(
            tx.execute(
                select(OutboxRow.message_id, OutboxRow.correlation_id).where(
                    OutboxRow.message_id.startswith(prefix)
                )
            ).all()
        )
    assert [stored[f"{prefix}{n}"] for n in range(len(texts))] == texts
