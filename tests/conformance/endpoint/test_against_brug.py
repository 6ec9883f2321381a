"""brug's own endpoints speak brug's contracts: every shipped case passes against them."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.simulation.process import RunningProcess
from conformance.endpoint import RunConfig, load_catalogue, load_catalogue_file, run_suite
from conformance.endpoint.catalogue import catalogue_path
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


def test_answers_signed_by_another_certificate_than_the_pinned_peer_fail_once(
    gateway: Gateway, pki: PkiLayout
) -> None:
    # the tester pins the wrong peer: the first case relying on a verified answer fails, the
    # others that rely on one are skipped naming it; cases judging refusals still run
    result = run("gateway-service-v1", gateway.url, pki, "brussels", gateway_identities(pki))
    assert result.failed_ids == ["GW-SUBMIT-HAPPY"], describe(result)
    assert result.exit_code == 1
    (root,) = result.results[1:2]
    assert "not signed per the profile" in " ".join(root.reasons)
    skipped = [r for r in result.results if r.outcome == "skipped"]
    cases = load_catalogue("gateway-service-v1").cases[2:]
    assert [r.case.id for r in skipped] == [c.id for c in cases if c.needs_verified_answer]
    assert len(skipped) >= 8
    for r in skipped:
        assert r.skipped_because == "GW-SUBMIT-HAPPY"
        (why,) = r.reasons
        assert why.startswith("because GW-SUBMIT-HAPPY failed: expected a valid signed answer")
        assert r.exchanges == []  # not sent at all
    assert result.dependents("GW-SUBMIT-HAPPY") == [r.case.id for r in skipped]
    assert {r.case.id for r in result.results if r.outcome == "passed"} >= {
        "GW-WSDL", "GW-SEC-REPLAY", "GW-XML-XXE", "GW-SCHEMA-INVALID"
    }  # fmt: skip


def test_a_case_whose_needed_case_failed_is_skipped_naming_it(
    gateway: Gateway, pki: PkiLayout, tmp_path: Path
) -> None:
    # GW-RETRY-SUBMIT declares needs: [GW-SUBMIT-HAPPY]; make the happy case expect "duplicate"
    data = yaml.safe_load(catalogue_path("gateway-service-v1").read_text(encoding="utf-8"))
    for case in data["cases"]:
        if case["id"] == "GW-SUBMIT-HAPPY":
            case["expect"]["acknowledgement"] = "duplicate"
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    config = RunConfig(
        target=gateway.url,
        catalogue=load_catalogue_file(path),
        identities=gateway_identities(pki),
        trust=(pki.ca_cert,),
        peer_cert=pki["flanders"].cert,
        case_ids=("GW-SUBMIT-HAPPY", "GW-LOOKUP-HAPPY-SOAP12", "GW-RETRY-SUBMIT"),
    )
    result = run_suite(config)
    assert result.failed_ids == ["GW-SUBMIT-HAPPY"], describe(result)
    lookup, retry = result.results[1:]
    assert lookup.outcome == "passed"  # a plain failure is no run-wide cause
    assert retry.outcome == "skipped" and retry.skipped_because == "GW-SUBMIT-HAPPY"
    assert retry.reasons == [
        "because GW-SUBMIT-HAPPY failed: acknowledgement accepted, expected duplicate"
    ]
