"""brug's own endpoints speak brug's contracts: every shipped case passes against them."""

from __future__ import annotations

from adapters.simulation.process import RunningProcess
from conformance.endpoint import load_catalogue
from gateway.wssecurity.pki import PkiLayout
from tests.conformance.endpoint.support import describe, gateway_identities, identity, run
from tests.service.soap.support import Gateway


def test_the_gateway_passes_its_whole_catalogue(gateway: Gateway, pki: PkiLayout) -> None:
    result = run("gateway-service-v1", gateway.url, pki, "flanders", gateway_identities(pki))
    assert result.exit_code == 0, describe(result)
    assert result.count("passed") == len(load_catalogue("gateway-service-v1").cases) >= 12


def test_the_catalogue_can_be_run_twice_against_the_same_gateway(
    gateway: Gateway, pki: PkiLayout
) -> None:
    ids = ("GW-SUBMIT-HAPPY", "GW-RETRY-SUBMIT", "GW-SEC-REPLAY")
    for _ in range(2):
        result = run(
            "gateway-service-v1", gateway.url, pki, "flanders", gateway_identities(pki), ids
        )
        assert result.failed_ids == [], describe(result)


def test_cases_of_a_caller_without_credentials_are_skipped_not_failed(
    gateway: Gateway, pki: PkiLayout
) -> None:
    only_brussels = {"brussels": gateway_identities(pki)["brussels"]}
    result = run("gateway-service-v1", gateway.url, pki, "flanders", only_brussels)
    skipped = [r.case.id for r in result.results if r.outcome == "skipped"]
    assert skipped == ["GW-PUSH-HAPPY", "GW-RETRY-PUSH"]
    assert result.exit_code == 0, describe(result)


def test_the_brussels_simulator_passes(brussels_sim: RunningProcess, pki: PkiLayout) -> None:
    caller = {"gateway": identity(pki, "flanders", "gateway", "strict")}
    result = run("brussels-bev-service-v1", brussels_sim.service_url, pki, "brussels", caller)
    assert result.exit_code == 0, describe(result)
    assert result.count("passed") == len(load_catalogue("brussels-bev-service-v1").cases)


def test_the_federal_simulator_passes(federal_sim: RunningProcess, pki: PkiLayout) -> None:
    caller = {"gateway": identity(pki, "flanders", "gateway", "ksz")}
    result = run("federal-career-break-service-v1", federal_sim.service_url, pki, "federal", caller)
    assert result.exit_code == 0, describe(result)


def test_answers_signed_by_another_certificate_than_the_pinned_peer_fail(
    gateway: Gateway, pki: PkiLayout
) -> None:
    # the tester pins the wrong peer: every case that relies on a verified answer fails
    result = run(
        "gateway-service-v1",
        gateway.url,
        pki,
        "brussels",
        gateway_identities(pki),
        ("GW-STATUS-UNKNOWN", "GW-SEC-UNSIGNED", "GW-XML-XXE"),
    )
    assert result.failed_ids == ["GW-STATUS-UNKNOWN", "GW-SEC-UNSIGNED"]
    assert "not signed per the profile" in " ".join(result.results[0].reasons)
