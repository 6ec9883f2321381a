"""FederalClient against the federal simulator (ksz profile, seeded data)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.federal.client import FederalClient
from adapters.federal.seed import generate
from adapters.simulation.process import RunningProcess
from gateway.models.career_break import CareerBreakQuery, CareerBreakSource, Period
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import header, signer, verifier

EVER = Period(begin=date(2000, 1, 1))


@pytest.fixture
def client(federal_sim: RunningProcess, pki: PkiLayout) -> FederalClient:
    return FederalClient(
        federal_sim.service_url,
        signer(pki, profile="ksz"),
        verifier(pki, "ksz", pin="federal"),
        timeout=10,
    )


def _ask(client: FederalClient, query: CareerBreakQuery) -> tuple[object, ...]:
    return client.get_career_breaks(query, header("federal-rva", "VOK_AUTOMATION")).records


def test_training_worker_gets_the_seeded_records(client: FederalClient) -> None:
    data = generate()
    worker = data.with_profile("training")[0]
    assert _ask(client, CareerBreakQuery(insz=worker.insz, period=EVER)) == worker.records


def test_worker_without_records_and_unknown_worker_get_none(client: FederalClient) -> None:
    data = generate()
    nobody = data.with_profile("none")[0]
    assert _ask(client, CareerBreakQuery(insz=nobody.insz, period=EVER)) == ()


def test_period_and_source_filters(client: FederalClient) -> None:
    data = generate()
    worker = next(w for w in data.with_profile("care-credit") if len(w.records) >= 2)
    last = worker.records[-1]
    late = Period(begin=last.period.begin, end=last.period.begin)
    assert _ask(client, CareerBreakQuery(insz=worker.insz, period=late)) == (last,)
    flemish = CareerBreakQuery(
        insz=worker.insz, period=EVER, sources=(CareerBreakSource.VLAANDEREN,)
    )
    assert _ask(client, flemish) == ()


def test_soap12(federal_sim: RunningProcess, pki: PkiLayout) -> None:
    worker = generate().with_profile("public-career-break")[0]
    client = FederalClient(
        federal_sim.service_url,
        signer(pki, profile="ksz"),
        verifier(pki, "ksz", pin="federal"),
        soap_version="1.2",
    )
    assert _ask(client, CareerBreakQuery(insz=worker.insz, period=EVER)) == worker.records
