"""The federal simulator: deterministic seeded data, GetCareerBreaks over a socket (zeep too)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import httpx
from stdnum.be import nn

from adapters.federal.client import zeep_service
from adapters.federal.codes import CodeTable
from adapters.federal.seed import generate, mutation_feed
from adapters.simulation.process import RunningProcess
from gateway.models.career_break import CareerBreakQuery, Period
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import signer, verifier


def test_seed_is_deterministic_and_seed_dependent() -> None:
    assert generate(7, 400) == generate(7, 400)
    assert generate(7, 400).workers != generate(8, 400).workers
    assert mutation_feed(generate(7, 400), 30) == mutation_feed(generate(7, 400), 30)


def test_seed_is_realistic() -> None:
    data = generate()
    codes = CodeTable.load()
    assert len(data.workers) == 3000
    assert len({w.insz for w in data.workers}) == 3000
    assert all(nn.is_valid(w.insz) for w in data.workers[:500])
    summary = data.summary()["by_profile"]
    assert summary["none"] > 300 and summary["training"] > 600
    training = [r for w in data.with_profile("training") for r in w.records]
    assert training and all(codes.is_time_credit(r.category.code) for r in training)
    assert all(codes.is_training_reason(r.reason.code if r.reason else None) for r in training)
    reductions = {codes.reduction_of(r.reduction.code) for r in data.records()}
    assert {"full", "half", "one-fifth"} <= {str(r) for r in reductions}
    care = [r for w in data.with_profile("care-credit") for r in w.records]
    assert {r.category.code for r in care} == {"4"}
    assert all(not w.records for w in data.with_profile("none"))


def test_query_answers_overlapping_records_only() -> None:
    data = generate()
    worker = next(w for w in data.with_profile("training") if len(w.records) >= 2)
    first = worker.records[0]
    only_first = CareerBreakQuery(
        insz=worker.insz, period=Period(begin=first.period.begin, end=first.period.begin)
    )
    assert data.answer(only_first) == (first,)
    wide = CareerBreakQuery(insz=worker.insz, period=Period(begin=date(2000, 1, 1)))
    assert data.answer(wide) == worker.records
    elsewhere = CareerBreakQuery(insz=worker.insz, period=wide.period, sources=("Vlaanderen",))  # type: ignore[arg-type]
    assert data.answer(elsewhere) == ()


def test_zeep_calls_get_career_breaks(federal_sim: RunningProcess, pki: PkiLayout) -> None:
    data = generate()
    worker = data.with_profile("training")[3]
    proxy = zeep_service(
        federal_sim.wsdl_url, signer(pki, profile="ksz"), verifier(pki, "ksz", pin="federal")
    )
    result = proxy.GetCareerBreaks(
        header={
            "messageId": str(uuid4()),
            "timestamp": datetime.now(UTC),
            "sender": {"code": "flanders-wse"},
            "recipient": {"code": "federal-rva"},
            "purpose": "VOK_AUTOMATION",
        },
        Vraag={"INSZ": worker.insz, "Periode": {"Begin": date(2020, 1, 1)}},
    )
    assert worker.insz == result.Antwoord.INSZ
    assert len(result.Antwoord.Loopbaanonderbreking) == len(worker.records)
    assert result.header.sender.code == "federal-rva"


def test_federal_wsdl_and_mutation_listing(federal_sim: RunningProcess) -> None:
    wsdl = httpx.get(federal_sim.wsdl_url, timeout=5)
    assert federal_sim.service_url.encode() + b"/soap11" in wsdl.content
    listing = federal_sim.admin("GET", "mutations")
    assert listing["pending"] == len(listing["mutations"]) > 0
    first = listing["mutations"][0]
    assert first["insz"].startswith("********") and first["status"] in ("new", "cancelled")
