"""Exports carry a proof that an outsider can check against a signed checkpoint."""

from __future__ import annotations

import copy
from datetime import timedelta

from gateway.audit import CheckpointVerifier, export_period, verify_export
from gateway.store import Store
from tests.audit.helpers import fill, pem, record
from tests.support.store import FakeClock


def test_export_of_a_period_verifies(store: Store, clock: FakeClock) -> None:
    key = pem()
    start = clock()
    log = fill(store, key, 4, every=10)  # entries 1-4 at t0
    clock.advance(timedelta(hours=1))
    middle = clock()
    for i in range(5, 9):  # entries 5-8 at t0+1h
        log.append(record(i))
    clock.advance(timedelta(hours=1))
    for i in range(9, 13):  # 9-12 later; checkpoint at 10 anchors the export
        log.append(record(i))
    doc = export_period(store, middle, middle + timedelta(minutes=30))
    assert [e["seq"] for e in doc["entries"]] == [5, 6, 7, 8]
    assert [link["seq"] for link in doc["proof"]["links"]] == [9, 10]
    assert "message_id" not in doc["proof"]["links"][0]  # nothing outside the period leaks
    assert doc["proof"]["anchored"] is True
    verifier = CheckpointVerifier.from_pem(key)
    result = verify_export(doc, verifier)
    assert result.ok and result.anchored_at == 10, result.problems

    edited = copy.deepcopy(doc)
    edited["entries"][1]["outcome"] = "rejected"
    assert verify_export(edited, verifier).problems == [
        "entry 6: does not chain (edited or out of order)"
    ]
    dropped = copy.deepcopy(doc)
    del dropped["entries"][2]
    assert verify_export(dropped, verifier).problems == ["entry 7: missing from the export"]
    assert not verify_export(doc, CheckpointVerifier.from_pem(pem())).ok
    assert start < middle


def test_recent_entries_are_exported_unanchored(store: Store, clock: FakeClock) -> None:
    key = pem()
    fill(store, key, 3, every=100)
    doc = export_period(store, clock() - timedelta(minutes=1), clock() + timedelta(minutes=1))
    assert doc["proof"]["anchored"] is False
    result = verify_export(doc, CheckpointVerifier.from_pem(key))
    assert not result.ok and "not covered by a signed checkpoint" in result.problems[0]


def test_empty_period(store: Store, clock: FakeClock) -> None:
    doc = export_period(store, clock(), clock() + timedelta(hours=1))
    assert doc["entries"] == [] and doc["proof"]["head"]["seq"] == 0
