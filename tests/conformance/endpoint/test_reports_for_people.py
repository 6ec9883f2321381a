"""Reports for people: one root cause once, every check listed, a failed-only filter, linked rules.

The run that matters is the one issue 13 describes: a tester pins the wrong ``--peer-cert``
against brug's gateway. It must read as one failure (the cause) and the cases that depend on it
skipped naming it, in the terminal, in JUnit and in the HTML page.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from conformance.cli_run import register_run
from conformance.endpoint import RunConfig, load_catalogue, run_suite, write_html, write_junit
from conformance.endpoint.reports.links import DocsUrlError, check_docs_url, linked
from conformance.endpoint.runner import SuiteResult
from gateway.wssecurity.pki import PkiLayout, init_pki
from tests.conformance.endpoint.support import describe, gateway_identities, run
from tests.service.soap.support import Gateway

ROOT = "GW-SUBMIT-HAPPY"
_INSZ = re.compile(r"(?<![0-9])[0-9]{11}(?![0-9])")
_DOC_LINK = re.compile(r'<a class="doc" href="([^"]+)">')


@pytest.fixture(scope="module")
def wrong_peer(gateway: Gateway, pki: PkiLayout) -> SuiteResult:
    """The whole gateway catalogue, with Brussels' certificate pinned as the gateway's."""
    return run("gateway-service-v1", gateway.url, pki, "brussels", gateway_identities(pki))


def test_the_wrong_peer_cert_is_one_failure_and_the_rest_skipped_naming_it(
    wrong_peer: SuiteResult,
) -> None:
    assert wrong_peer.failed_ids == [ROOT], describe(wrong_peer)
    skipped = wrong_peer.dependents(ROOT)
    assert len(skipped) == wrong_peer.count("skipped") >= 8
    assert [r.case.id for r in wrong_peer.root_causes] == [ROOT]
    (root,) = wrong_peer.root_causes
    assert root.reasons[0].endswith(
        "is not one of the pinned partner certificates) - is --peer-cert the certificate the "
        "endpoint signs its answers with?"
    )


def test_junit_has_one_failure_skips_naming_it_and_every_check(
    wrong_peer: SuiteResult, tmp_path: Path
) -> None:
    path = write_junit(wrong_peer, tmp_path / "junit.xml")
    suite = etree.parse(str(path)).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1"
    assert suite.get("skipped") == str(len(wrong_peer.dependents(ROOT)))
    (cause,) = [p.get("value", "") for p in suite.iter("property") if p.get("name") == "root-cause"]
    assert cause.startswith(f"{ROOT} failed ({len(wrong_peer.dependents(ROOT))} case(s) skipped")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    for case_id in wrong_peer.dependents(ROOT):
        skipped = cases[case_id].find("skipped")
        assert skipped is not None
        message = skipped.get("message", "")
        assert message.startswith(f"because {ROOT} failed: expected a valid signed answer: ")
        assert "not one of the pinned partner certificates" in message
    root_out = cases[ROOT].findtext("system-out") or ""
    assert "FAIL valid_response: expected a signed, verified, schema-valid answer; actual " in (
        root_out
    )
    assert "PASS http_status: expected 200; actual 200" in root_out
    assert "PASS acknowledgement: expected accepted; actual accepted" in root_out
    replay_out = cases["GW-SEC-REPLAY"].findtext("system-out") or ""
    assert "PASS fault_code: expected wsse:InvalidSecurity" in replay_out
    assert "PASS first_copy_accepted" in replay_out
    assert not _INSZ.search(path.read_text(encoding="utf-8"))


def test_the_no_trace_follow_up_is_a_listed_check(gateway: Gateway, pki: PkiLayout) -> None:
    result = run(
        "gateway-service-v1",
        gateway.url,
        pki,
        "flanders",
        gateway_identities(pki),
        ("GW-SEC-UNSIGNED",),
    )
    (case,) = result.results
    assert [(c.name, c.passed) for c in case.checks] == [
        ("no_stack_trace", True),
        ("http_status", True),
        ("fault_code", True),
        ("no_trace", True),
    ]
    no_trace = case.checks[-1]
    assert (no_trace.expected, no_trace.actual) == (
        "GetMessageStatus answers unknown",
        "GetMessageStatus says unknown",
    )


def test_the_html_leads_with_the_cause_filters_failed_cases_and_links_rules(
    wrong_peer: SuiteResult, tmp_path: Path
) -> None:
    report = tmp_path / "out" / "report.html"
    html = write_html(wrong_peer, report).read_text(encoding="utf-8")
    # the cause first, with the cases skipped because of it
    root_box = html[html.index('<div class="root">') : html.index('<input type="checkbox"')]
    assert f'<a href="#{ROOT}">{ROOT}</a> failed: expected a valid signed answer' in root_box
    assert f"{len(wrong_peer.dependents(ROOT))} case(s) skipped because of it" in root_box
    # the filter works without any script: a checkbox and CSS
    assert '<input type="checkbox" id="failed-only">' in html
    assert "#failed-only:checked ~ section.cases details:not(.outcome-failed){display:none}" in html
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
    assert html.count('class="case-row outcome-skipped"') == wrong_peer.count("skipped")
    assert f'because <a href="#{ROOT}">{ROOT}</a> failed: expected a valid signed' in html
    # per-step checks, expected vs actual
    assert "<th>check</th><th>expected</th><th>actual</th><th>result</th>" in html
    assert "<td><code>valid_response</code></td><td>a signed, verified, schema-valid answer" in html
    # rule references are links that open the repository's docs from where the report is
    links = set(_DOC_LINK.findall(html))
    assert any(href.endswith("docs/soap-endpoints.md#pipeline") for href in links)
    for href in links:
        target = (report.parent / unquote(urlsplit(href).path)).resolve()
        assert target.is_file(), href
        anchor = urlsplit(href).fragment
        assert not anchor or _heading_anchor(target, anchor), href
    assert not _INSZ.search(html)


def test_the_docs_url_option_prefixes_rule_links(wrong_peer: SuiteResult, tmp_path: Path) -> None:
    base = check_docs_url("https://docs.example.org/brug/docs")
    html = write_html(wrong_peer, tmp_path / "report.html", base).read_text(encoding="utf-8")
    assert (
        '<a class="doc" href="https://docs.example.org/brug/docs/soap-endpoints.md#pipeline">'
        "docs/soap-endpoints.md#pipeline</a>" in html
    )


def test_rule_references_are_escaped_and_only_docs_paths_become_links() -> None:
    text = 'SOAP-WSDL <x> / docs/soap-endpoints.md (GET ?wsdl) & docs/a"b.md'
    out = linked(text, "../docs/")
    assert out.startswith("SOAP-WSDL &lt;x&gt; / ")
    assert '<a class="doc" href="../docs/soap-endpoints.md">docs/soap-endpoints.md</a>' in out
    assert '"b.md' not in out and "&quot;b.md" in out
    assert linked(text, None) == (
        "SOAP-WSDL &lt;x&gt; / docs/soap-endpoints.md (GET ?wsdl) &amp; docs/a&quot;b.md"
    )
    with pytest.raises(DocsUrlError, match="javascript"):
        check_docs_url("javascript:alert(1)")


@pytest.mark.parametrize("service", sorted({"gateway-service-v1", "brussels-bev-service-v1"}))
def test_every_docs_reference_of_the_shipped_catalogues_opens_a_section(service: str) -> None:
    docs = Path(__file__).resolve().parents[3]
    for case in load_catalogue(service).cases:
        for path, anchor in re.findall(r"\b(docs/[\w./-]+?\.md)(?:#([\w.-]+))?", case.rule):
            assert (docs / path).is_file(), (case.id, path)
            assert not anchor or _heading_anchor(docs / path, anchor), (case.id, anchor)


def _heading_anchor(markdown: Path, anchor: str) -> bool:
    """GitHub's heading ids: lower case, punctuation dropped, spaces as dashes."""
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            if slug == anchor:
                return True
    return False


def _app() -> typer.Typer:
    app = typer.Typer()
    register_run(app)
    return app


def _args(gateway: Gateway, pki: PkiLayout, peer: str, *more: str) -> list[str]:
    return [
        "run", "--target", gateway.url, "--service", "gateway-service-v1",
        "--cert", str(pki["brussels"].cert), "--key", str(pki["brussels"].key),
        "--identity", f"federal={pki['federal'].cert},{pki['federal'].key}",
        "--trust", str(pki.ca_cert), "--peer-cert", str(pki[peer].cert), *more,
    ]  # fmt: skip


def test_the_cli_says_the_root_cause_once_and_exits_1(
    gateway: Gateway, pki: PkiLayout, tmp_path: Path
) -> None:
    args = _args(gateway, pki, "brussels", "--report", str(tmp_path), "--docs-url", "/srv/docs")
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 1, result.output
    assert re.search(
        rf"root cause: {ROOT} failed, \d+ case\(s\) skipped because of it: ", (result.output)
    )
    # said by the progress line, the table row and the root-cause line; never per skipped case
    assert result.output.count("pinned partner") <= 3 < len(wrong_peer_skips(result.output))
    assert f"SKIP GW-STATUS-UNKNOWN (0.00s) - because {ROOT} failed (root cause)" in result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'href="/srv/docs/soap-endpoints.md#pipeline"' in html


def wrong_peer_skips(output: str) -> list[str]:
    return re.findall(rf"SKIP \S+ \(\d+\.\d+s\) - because {ROOT} failed", output)


def test_a_docs_url_with_another_scheme_is_a_bad_argument(gateway: Gateway, pki: PkiLayout) -> None:
    args = _args(gateway, pki, "flanders", "--docs-url", "javascript:alert(1)")
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 2
    assert "--docs-url 'javascript:alert(1)': the scheme 'javascript' is not allowed" in (
        result.output
    )


_PIECES = st.sampled_from(
    ["docs/soap-endpoints.md#faults", "docs/x.md", " / ", "<b>", "&", '"', "'", "#", "docs/", ".md"]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=8).map("".join))
def test_linking_keeps_the_text_and_adds_only_doc_links(text: str) -> None:
    out = linked(text, "../docs/")
    tags = re.findall(r"<[^>]*>", out)
    assert all(t == "</a>" or t.startswith('<a class="doc" href="../docs/') for t in tags)
    assert unescape(re.sub(r"<[^>]*>", "", out)) == text


def test_answers_chaining_to_no_trusted_ca_say_to_check_trust(
    gateway: Gateway, pki: PkiLayout, tmp_path: Path
) -> None:
    other = init_pki(tmp_path / "other")  # another CA: the gateway's answers do not chain to it
    config = RunConfig(
        target=gateway.url,
        catalogue=load_catalogue("gateway-service-v1"),
        identities=gateway_identities(pki),
        trust=(other.ca_cert,),
        case_ids=("GW-STATUS-UNKNOWN", "GW-SUBMIT-HAPPY", "GW-XML-XXE"),
    )
    result = run_suite(config)
    assert result.failed_ids == ["GW-SUBMIT-HAPPY"], describe(result)
    assert (
        result.results[0]
        .reasons[0]
        .endswith(" - does --trust hold the CA of the endpoint's signing certificate?")
    )
    assert result.dependents("GW-SUBMIT-HAPPY") == ["GW-STATUS-UNKNOWN"]
    assert result.results[2].outcome == "passed"
