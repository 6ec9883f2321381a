"""Exchange records on both backends: catalogue upsert, inbound records, mutation feed."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.audit.subjects import SubjectHasher
from gateway.cli._inputs import read_course
from gateway.models import CareerBreakMutation, VovRegistration
from gateway.models.career_break import AttestStatus
from gateway.service.records import ExchangeRecords
from gateway.store.database import Store
from gateway.store.tables import InboundRecordRow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEY = b"k" * 32


def _records(store: Store) -> ExchangeRecords:
    return ExchangeRecords(store, SubjectHasher(KEY))


def test_course_upsert_and_module_lookup(store: Store) -> None:
    records = _records(store)
    course = read_course(EXAMPLES / "odb-course.json")
    assert records.put_course(course, updated_by="client-a") is True
    assert records.put_course(course, updated_by="client-b") is False
    assert records.get_course(course.odb_number) == course
    assert records.get_course(f"{course.odb_number}/M2") == course
    assert records.get_course("CE-999999") is None
    assert records.course_count() == 1


def test_inbound_record_is_found_by_insz_but_indexed_by_hash(store: Store) -> None:
    records = _records(store)
    reg = VovRegistration.model_validate_json(
        (EXAMPLES / "vov-registration-mover.json").read_text()
    )
    with store.transaction() as tx:
        records.add_inbound(
            partner="brussels",
            message_id="m-1",
            kind="bev-record",
            source_record_id="BEV-1",
            record=reg,
            report={"findings": []},
            tx=tx,
        )
    found = records.inbound_for(reg.worker.insz)
    assert [r.record for r in found] == [reg]
    assert records.inbound_for("85073003328") == []
    with store.transaction() as tx:
        row = tx.query(InboundRecordRow).one()
        assert reg.worker.insz not in row.subject
        assert row.subject == SubjectHasher(KEY).hash(reg.worker.insz)


def test_mutations_skip_known_attests_without_undoing_others(store: Store) -> None:
    records = _records(store)
    doc = json.loads((EXAMPLES / "career-break-mutation.json").read_text())
    mutations = [CareerBreakMutation.model_validate(m) for m in doc]
    with store.transaction() as tx:
        first = records.add_mutations("m-1", mutations, tx=tx)
    assert first == len(mutations)
    cancelled = mutations[0].model_copy(update={"status": AttestStatus.CANCELLED})
    with store.transaction() as tx:
        again = records.add_mutations("m-2", [mutations[0], cancelled], tx=tx)
    assert again == 1
    feed = records.mutations()
    assert len(feed) == len(mutations) + 1
    assert feed[-1].mutation == cancelled
