"""SubmitBevRecord and PushCareerBreakMutation over a real socket: effects, once, atomically."""

from __future__ import annotations

import json
import logging

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from adapters.soap.acknowledgement import Acknowledgement
from gateway.soap.envelope import build_envelope
from gateway.store.tables import AuditEntryRow, CareerBreakMutationRow, InboundRecordRow, InboxRow
from gateway.wssecurity.algorithms import exc_c14n
from gateway.xml import schemas
from tests.service.soap.support import (
    Gateway,
    answer,
    count_rows,
    example,
    fault,
    gw,
    id_of,
    push_mutations,
    rules,
    submit_bev,
)


def _ack(payload: etree._Element, tag: str) -> Acknowledgement:
    assert payload.tag == gw(tag)
    return Acknowledgement.from_element(payload)


@pytest.mark.parametrize(
    ("example_file", "version"),
    [("bev-record-v1.xml", "1.1"), ("bev-record-v2.xml", "1.2")],
)
def test_bev_record_is_mapped_kept_audited_and_acknowledged_signed(
    gateway: Gateway, example_file: str, version: str
) -> None:
    message = example(example_file)
    message_id = id_of(message)
    response = gateway.call("brussels", submit_bev(message), "SubmitBevRecord", version)
    expected_type = "text/xml" if version == "1.1" else "application/soap+xml"
    assert response.headers["content-type"].startswith(expected_type)
    ack = _ack(answer(response, gateway, "brussels"), "SubmitBevRecordResponse")
    assert (str(ack.message_id), ack.status, ack.violations) == (message_id, "accepted", ())
    assert count_rows(gateway, InboundRecordRow, message_id=message_id, kind="bev-record") == 1
    with gateway.context.store.transaction() as tx:
        entry = tx.scalars(
            select(AuditEntryRow).where(AuditEntryRow.message_id == message_id)
        ).one()
        assert (entry.partner, entry.operation, entry.direction, entry.outcome) == (
            "brussels",
            "SubmitBevRecord",
            "in",
            "accepted",
        )
        assert entry.signature_value and entry.subject and entry.digest
        assert b"85071412330" not in (entry.subject or "").encode()


def test_repeat_gets_the_first_answer_without_a_second_effect(gateway: Gateway) -> None:
    message = example("bev-record-v2.xml")
    message_id = id_of(message)
    envelope = build_envelope(submit_bev(message))
    signer = gateway.signer("brussels")
    first = answer(gateway.post(signer.sign(envelope), "SubmitBevRecord"), gateway, "brussels")
    # the partner's retry: same message, signed anew (fresh Timestamp and signature)
    second = answer(gateway.post(signer.sign(envelope), "SubmitBevRecord"), gateway, "brussels")
    assert exc_c14n(first) == exc_c14n(second)
    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 1
    assert count_rows(gateway, InboxRow, message_id=message_id) == 1
    with gateway.context.store.transaction() as tx:
        outcomes = tx.scalars(
            select(AuditEntryRow.outcome).where(AuditEntryRow.message_id == message_id)
        ).all()
    assert sorted(outcomes) == ["accepted", "repeat"]


def test_reused_message_id_with_other_content_is_an_inbox_conflict(gateway: Gateway) -> None:
    message_id = "0f6c1e2a-5b7d-4c8e-9a1b-00000000c0f1"
    first = gateway.call(
        "brussels", submit_bev(example("bev-record-v1.xml", message_id)), "SubmitBevRecord"
    )
    assert _ack(answer(first, gateway, "brussels"), "SubmitBevRecordResponse").status == "accepted"
    other = example("bev-record-v1.xml", message_id, correlationId="OTHER-CONTENT")
    found = fault(gateway.call("brussels", submit_bev(other), "SubmitBevRecord"))
    assert found.is_sender_fault and rules(found) == {"inbox.conflict"}
    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 1


BEV1 = "{urn:be:brug:brussels:bev-record:1}"


def _with(message: etree._Element, **fields: str) -> etree._Element:
    for name, wrong in fields.items():
        element = next(message.iter(BEV1 + name))
        element.text = wrong
    return message


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"niss": "85071412399"}, {"insz.checksum"}),  # the record model refuses it
        (  # the mapping refuses it, listing both problems at once
            {"referenceAgrement": "BEE-0000-99999", "dateDebut": "2010-09-15"},
            {"crosswalk.unknown-course", "rules.unknown-school-year"},
        ),
    ],
    ids=["bad-insz", "unmappable"],
)
def test_a_record_wrong_in_substance_is_acknowledged_rejected_with_every_violation(
    gateway: Gateway, fields: dict[str, str], expected: set[str]
) -> None:
    message = _with(example("bev-record-v1.xml"), **fields)
    message_id = id_of(message)
    envelope = build_envelope(submit_bev(message))
    response = gateway.post(gateway.signer("brussels").sign(envelope), "SubmitBevRecord")
    assert b"85071412399" not in response.content  # a bad INSZ is echoed masked only
    ack = _ack(answer(response, gateway, "brussels"), "SubmitBevRecordResponse")
    assert ack.status == "rejected"
    assert {v.rule for v in ack.violations} == expected
    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 0
    # kept in the inbox: the retry gets the same rejection, not a fresh evaluation
    again = gateway.post(gateway.signer("brussels").sign(envelope), "SubmitBevRecord")
    assert _ack(answer(again, gateway, "brussels"), "SubmitBevRecordResponse") == ack
    with gateway.context.store.transaction() as tx:
        outcomes = tx.scalars(
            select(AuditEntryRow.outcome).where(AuditEntryRow.message_id == message_id)
        ).all()
    assert sorted(outcomes) == ["rejected", "repeat"]


def test_the_log_names_partner_operation_and_id_but_never_an_insz(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    message = example("bev-record-v1.xml")
    with caplog.at_level(logging.INFO, logger="gateway.service.soap"):
        response = gateway.call("brussels", submit_bev(message), "SubmitBevRecord")
        answer(response, gateway, "brussels")
    assert f"SubmitBevRecord from brussels message {id_of(message)}" in caplog.text
    assert "85071412330" not in caplog.text


def test_career_break_mutations_are_kept_and_known_attests_count_as_accepted(
    gateway: Gateway,
) -> None:
    before = count_rows(gateway, CareerBreakMutationRow)
    first = example("career-break-mutation.xml")
    response = gateway.call("federal", push_mutations(first), "PushCareerBreakMutation")
    ack = _ack(answer(response, gateway, "federal"), "PushCareerBreakMutationResponse")
    assert ack.status == "accepted"
    assert count_rows(gateway, CareerBreakMutationRow) == before + 2
    # the same attests in a new notification: accepted, nothing added
    again = example("career-break-mutation.xml")
    response = gateway.call("federal", push_mutations(again), "PushCareerBreakMutation", "1.2")
    ack = _ack(answer(response, gateway, "federal"), "PushCareerBreakMutationResponse")
    assert ack.status == "accepted"
    assert count_rows(gateway, CareerBreakMutationRow) == before + 2


def test_store_failure_during_the_effect_is_a_retryable_503_and_applies_nothing(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = example("bev-record-v1.xml")
    message_id = id_of(message)
    envelope = build_envelope(submit_bev(message))

    def disk_full(*_: object, **__: object) -> None:
        raise OperationalError("INSERT INTO audit_entry", {}, Exception("database or disk is full"))

    with monkeypatch.context() as patch:
        # append_many: what both the batched path and the one-by-one fallback write through
        patch.setattr(gateway.context.audit, "append_many", disk_full)
        response = gateway.post(gateway.signer("brussels").sign(envelope), "SubmitBevRecord")
    assert response.status_code == 503
    found = fault(response)
    assert not found.is_sender_fault and found.codes[0] == "Server"
    assert b"disk" not in response.content  # the cause stays in the operator's log
    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 0
    assert count_rows(gateway, InboxRow, message_id=message_id) == 0
    # the partner retries (freshly signed) once the store is back: processed as new
    retry = gateway.post(gateway.signer("brussels").sign(envelope), "SubmitBevRecord")
    assert _ack(answer(retry, gateway, "brussels"), "SubmitBevRecordResponse").status == "accepted"
    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 1


def test_messages_are_counted_per_partner_operation_and_outcome(gateway: Gateway) -> None:
    def accepted() -> float:
        value = gateway.context.metrics.registry.get_sample_value(
            "brug_messages_total",
            {"partner": "brussels", "operation": "SubmitBevRecord", "outcome": "accepted"},
        )
        return value or 0.0

    before = accepted()
    response = gateway.call("brussels", submit_bev(example("bev-record-v2.xml")), "SubmitBevRecord")
    answer(response, gateway, "brussels")
    assert accepted() == before + 1


def test_a_replayed_submission_is_refused_before_the_inbox_and_applies_nothing(
    gateway: Gateway,
) -> None:
    message = example("bev-record-v1.xml")
    message_id = id_of(message)
    signed = gateway.signer("brussels").sign(build_envelope(submit_bev(message)))
    first = answer(gateway.post(signed, "SubmitBevRecord"), gateway, "brussels")
    assert _ack(first, "SubmitBevRecordResponse").status == "accepted"
    # The same signed bytes again: a replay, refused as such (not the inbox's first answer),
    # and the deferred replay check leaves no audit entry or record behind.
    found = fault(gateway.post(signed, "SubmitBevRecord"))
    assert found.code == "wsse:InvalidSecurity" and "replay" in found.reason
    assert count_rows(gateway, InboundRecordRow, message_id=message_id) == 1
    assert count_rows(gateway, AuditEntryRow, message_id=message_id) == 1


def test_a_request_refused_after_verification_leaves_no_replay_key(gateway: Gateway) -> None:
    # Authorisation refuses it after the signature was verified: nothing is applied, and since
    # the replay key is stored in the unit of work, the same bytes get the same refusal again.
    message = example("bev-record-v1.xml", purpose="VOK_AUTOMATION")
    signed = gateway.signer("brussels").sign(build_envelope(submit_bev(message)))
    for _ in range(2):
        assert rules(fault(gateway.post(signed, "SubmitBevRecord"))) == {"auth.purpose"}
    assert count_rows(gateway, InboxRow, message_id=id_of(message)) == 0


def test_request_metrics_name_the_soap_operation_and_the_verified_partner(
    gateway: Gateway,
) -> None:
    gateway.call("brussels", submit_bev(example("bev-record-v1.xml")), "SubmitBevRecord")
    gateway.post(b"<not-xml", "SubmitBevRecord")  # refused before anyone is identified
    text = gateway.context.metrics.exposition().decode()
    counts = [line for line in text.splitlines() if line.startswith("brug_request_seconds_count")]
    # (the gateway is shared by this module's tests: counts, not exact values)
    assert any('{operation="SubmitBevRecord",partner="brussels"}' in c for c in counts), counts
    # unparsable: no operation known, so the route template and no partner
    assert any('operation="/soap/gateway/v1",partner="anonymous"' in c for c in counts), counts


def test_the_acknowledgement_says_why_the_mapping_is_provisional(gateway: Gateway) -> None:
    # The shipped BEE crosswalk is sample data: the mapping rests on it, and the partner is told.
    message = example("bev-record-v1.xml")
    response = gateway.call("brussels", submit_bev(message), "SubmitBevRecord")
    payload = answer(response, gateway, "brussels")
    schemas.validate("gateway-service-v1", payload)  # the optional element is in the schema
    ack = _ack(payload, "SubmitBevRecordResponse")
    assert ack.status == "accepted"
    with gateway.context.store.transaction() as tx:
        stored = tx.scalars(
            select(InboundRecordRow.report).where(InboundRecordRow.message_id == id_of(message))
        ).one()
    reasons = tuple(json.loads(stored)["provisional"])
    assert reasons and ack.provisional == reasons
    assert any("sample" in reason for reason in reasons), reasons
