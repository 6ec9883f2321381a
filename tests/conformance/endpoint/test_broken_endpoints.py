"""Deliberately broken endpoints: the suite fails exactly the cases their flaw breaks, and the
reports say why."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from lxml import etree

from conformance.endpoint import (
    CaseResult,
    RunConfig,
    load_catalogue,
    run_suite,
    write_html,
    write_junit,
)
from gateway.wssecurity.pki import PkiLayout
from tests.conformance.endpoint.support import (
    FEDERAL,
    FEDERAL_PATH,
    Flaw,
    broken_federal_app,
    describe,
    identity,
    run,
)
from tests.simulators.support import ThreadedServer

HAPPY = ["FED-GET-HAPPY", "FED-GET-HAPPY-SOAP12"]
EXPECTED: dict[str, tuple[list[str], str]] = {
    "none": ([], ""),
    # one root cause: the second happy case is skipped because of the first
    "unsigned": (HAPPY[:1], "not signed per the profile"),
    "accepts-replay": (["FED-SEC-REPLAY"], "expected a SOAP fault wsse:InvalidSecurity"),
    "invalid-element": (HAPPY, "not valid against career-break-v1"),
    "crashes-on-malformed": (["FED-XML-MALFORMED"], "leaks a stack trace"),
    # every request answered by an error page: the first case is the cause, the rest skipped
    "proxy-error": (["FED-WSDL"], "the endpoint answers every request with HTTP 502 (not SOAP)"),
}


@pytest.fixture(scope="module")
def endpoints(pki: PkiLayout) -> Iterator[dict[str, str]]:
    servers = {flaw: ThreadedServer(broken_federal_app(pki, flaw)) for flaw in EXPECTED}  # type: ignore[arg-type]
    for server in servers.values():
        server.__enter__()
    yield {flaw: server.url + FEDERAL_PATH for flaw, server in servers.items()}
    for server in servers.values():
        server.__exit__(None, None, None)


@pytest.mark.parametrize("flaw", list(EXPECTED))
def test_the_suite_fails_exactly_what_the_flaw_breaks(
    flaw: Flaw, endpoints: dict[str, str], pki: PkiLayout, tmp_path: Path
) -> None:
    failing, why = EXPECTED[flaw]
    caller = {"gateway": identity(pki, "flanders", "gateway", "ksz")}
    result = run(FEDERAL, endpoints[flaw], pki, "federal", caller)
    assert result.failed_ids == failing, describe(result)
    assert result.exit_code == (1 if failing else 0)
    if not failing:
        return
    for r in result.results:
        if r.outcome == "failed":
            assert any(why in reason for reason in r.reasons), r.reasons

    junit = etree.parse(str(write_junit(result, tmp_path / "junit.xml"))).getroot()
    suite = junit.find("testsuite")
    assert suite is not None and suite.get("failures") == str(len(failing))
    assert len(suite.findall("testcase")) == len(result.results)
    failed = {c.get("name"): c.find("failure") for c in suite.iter("testcase")}
    for case_id in failing:
        failure = failed[case_id]
        assert failure is not None and why in (failure.get("message", "") + (failure.text or ""))
    assert all(failed[c] is None for c in failed if c not in failing)

    html = write_html(result, tmp_path / "report.html").read_text(encoding="utf-8")
    for case_id in failing:
        assert case_id in html
    assert escape(why) in html
    assert "<script" not in html and "http-equiv" not in html
    assert "<link" not in html and 'src="http' not in html


def test_the_stack_trace_endpoint_is_shown_as_it_answered(
    endpoints: dict[str, str], pki: PkiLayout
) -> None:
    caller = {"gateway": identity(pki, "flanders", "gateway", "ksz")}
    result = run(
        FEDERAL, endpoints["crashes-on-malformed"], pki, "federal", caller, ("FED-XML-MALFORMED",)
    )
    (case,) = result.results
    assert case.exchanges[0].status == 500
    assert b"Traceback" in case.exchanges[0].response
    assert any("expected a SOAP fault" in r for r in case.reasons)


def test_an_endpoint_answering_everything_with_an_error_page_fails_once(
    endpoints: dict[str, str], pki: PkiLayout
) -> None:
    caller = {"gateway": identity(pki, "flanders", "gateway", "ksz")}
    result = run(FEDERAL, endpoints["proxy-error"], pki, "federal", caller)
    root, *rest = result.results
    assert root.case.id == "FED-WSDL" and root.outcome == "failed"
    assert [e.label for e in root.exchanges] == [
        "wsdl", "probe GET ?wsdl", "probe unsigned empty SOAP request"
    ]  # fmt: skip
    assert rest and all(r.outcome == "skipped" for r in rest)
    assert {r.reasons[0] for r in rest} == {
        "because FED-WSDL failed: the endpoint answers every request with HTTP 502 (not SOAP): "
        "the probes (GET ?wsdl, an unsigned SOAP request) got the same"
    }
    assert result.exit_code == 1


def test_one_case_without_an_answer_is_no_run_wide_cause(
    endpoints: dict[str, str], pki: PkiLayout
) -> None:
    # the stack-trace endpoint answers HTTP 500 text to a malformed message, SOAP to the probe
    caller = {"gateway": identity(pki, "flanders", "gateway", "ksz")}
    result = run(FEDERAL, endpoints["crashes-on-malformed"], pki, "federal", caller)
    assert result.failed_ids == ["FED-XML-MALFORMED"]
    (case,) = [r for r in result.results if r.case.id == "FED-XML-MALFORMED"]
    probe = [c for c in case.checks if c.name == "endpoint_probe"]
    assert len(probe) == 1 and probe[0].passed
    assert result.count("skipped") == 0


def test_an_endpoint_that_goes_away_mid_run_is_one_failure(pki: PkiLayout) -> None:
    server = ThreadedServer(broken_federal_app(pki, "none")).__enter__()

    def stop_after_the_wsdl(result: CaseResult) -> None:
        if result.case.id == "FED-WSDL":
            server.__exit__(None, None, None)

    config = RunConfig(
        target=server.url + FEDERAL_PATH,
        catalogue=load_catalogue(FEDERAL),
        identities={"gateway": identity(pki, "flanders", "gateway", "ksz")},
        trust=(pki.ca_cert,),
        peer_cert=pki["federal"].cert,
    )
    result = run_suite(config, progress=stop_after_the_wsdl)
    wsdl, root, *rest = result.results
    assert wsdl.outcome == "passed"
    assert root.outcome == "failed" and root.reasons[0].startswith("no answer from the endpoint")
    assert root.reasons[-1] == (
        "the endpoint stopped answering: the probes (GET ?wsdl, an unsigned SOAP request) got no "
        "answer either"
    )
    assert rest and all(r.skipped_because == root.case.id for r in rest)
    assert result.failed_ids == [root.case.id] and result.exit_code == 1
