"""GetMessageStatus: the mapping of inbox and outbox states to gw:MessageState, and bugs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from lxml import etree

from adapters.soap.acknowledgement import Acknowledgement, AckStatus
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.errors import Violation
from gateway.service.soap.message_status import from_inbox, from_outbox
from gateway.store.tables import InboxRow
from tests.service.soap.support import Gateway, fault, gw, lookup

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def _entry(
    status: OutboxStatus, error: str | None = None, partner: str = "brussels"
) -> OutboxEntry:
    return OutboxEntry(
        id=1,
        message_id="m",
        partner=partner,
        operation="ReceiveBevRecord",
        payload=b"",
        digest="d",
        status=status,
        attempts=3,
        next_attempt_at=T0,
        lease_owner=None,
        lease_expires_at=None,
        last_error=error,
        partner_answer=None,
        created_at=T0,
        delivered_at=T0 + timedelta(minutes=1) if status is OutboxStatus.DELIVERED else None,
        correlation_id=None,
    )


def test_outbox_states_map_to_message_states() -> None:
    assert from_outbox([]) is None
    delivered = from_outbox([_entry(OutboxStatus.DELIVERED)])
    assert delivered is not None and delivered.state == "delivered"
    assert delivered.updated_at == T0 + timedelta(minutes=1)
    waiting = from_outbox([_entry(OutboxStatus.PENDING, "HTTP 503 from partner")])
    assert waiting is not None and waiting.state == "validated"
    assert [v.rule for v in waiting.violations] == ["delivery.retry"]
    dead = from_outbox(
        [_entry(OutboxStatus.DELIVERED), _entry(OutboxStatus.DEAD, "fault for 85071412330")]
    )
    assert dead is not None and dead.state == "failed"
    assert [v.rule for v in dead.violations] == ["delivery.dead"]
    assert "85071412330" not in (dead.violations[0].value or "")


def _stored_ack(status: AckStatus, *violations: Violation) -> bytes:
    ack = Acknowledgement(UUID(int=1), status, T0, violations)
    return etree.tostring(ack.to_element(gw("SubmitBevRecordResponse")))


def test_inbox_rows_map_to_message_states() -> None:
    assert from_inbox(None) is None
    row = InboxRow(
        partner="p", message_id="m", request_digest="d", status="received", created_at=T0
    )
    received = from_inbox(row)
    assert received is not None and received.state == "received"
    row.status, row.answered_at = "answered", T0
    row.answer = _stored_ack("rejected", Violation("x", "r", "why"))
    rejected = from_inbox(row)
    assert rejected is not None and rejected.state == "rejected"
    assert [v.rule for v in rejected.violations] == ["r"]
    row.answer = _stored_ack("accepted")
    accepted = from_inbox(row)
    assert accepted is not None and accepted.state == "validated"


def test_a_bug_in_an_operation_is_a_server_fault_without_details(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ValueError("secret detail 85071412330")

    monkeypatch.setattr(gateway.context.records, "get_course", broken)
    response = gateway.call("brussels", lookup("CE-100234"), "LookupOdbCourse")
    found = fault(response)
    assert response.status_code == 500 and found.codes == ("Server",)
    assert b"secret" not in response.content and b"85071412330" not in response.content
