"""JUnit XML: one ``testcase`` per case, so CI systems show the suite like any test run.

The failure ``message`` is the first reason (what a CI summary shows); the element's text holds
every reason, the rule the case checks and a short, redacted account of each exchange. A case
skipped because an earlier one failed has ``<skipped message="because <case> failed: ...">``.
Each case's ``system-out`` lists every check made (``PASS``/``FAIL`` name, expected, actual):
``system-out`` rather than per-testcase ``properties``, which the common JUnit schemas (Jenkins,
GitLab) do not all accept. Root causes are suite ``properties`` (``root-cause``).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from conformance.endpoint.redact import redact, redact_bytes
from conformance.endpoint.runner import CaseResult, SuiteResult, root_reason


def _details(result: CaseResult) -> str:
    lines = [f"rule: {result.case.rule}", *(f"- {r}" for r in result.reasons)]
    for exchange in result.exchanges:
        status = exchange.status if exchange.error is None else exchange.error
        lines.append(f"[{exchange.label}] {exchange.method} {exchange.url} -> {status}")
        if exchange.response:
            lines.append(redact_bytes(exchange.response, 2000))
    return redact("\n".join(lines))


def _system_out(result: CaseResult, suite: SuiteResult) -> str:
    """Title, rule, then one line per check made: what was expected and what came back."""
    lines = [f"{result.case.title} [{result.case.rule}]"]
    dependents = suite.dependents(result.case.id)
    if dependents:
        lines.append(f"root cause: skipped because of it: {', '.join(dependents)}")
    lines.extend(
        f"{'PASS' if c.passed else 'FAIL'} {c.name}: expected {c.expected}; actual {c.actual}"
        for c in result.checks
    )
    return redact("\n".join(lines))


def junit_tree(result: SuiteResult) -> etree._Element:
    suite = etree.Element(
        "testsuite",
        name=f"conformance.{result.service}",
        tests=str(len(result.results)),
        failures=str(result.count("failed")),
        errors="0",
        skipped=str(result.count("skipped")),
        time=f"{result.seconds:.3f}",
    )
    props = etree.SubElement(suite, "properties")
    etree.SubElement(props, "property", name="target", value=result.target)
    if result.transport:
        etree.SubElement(props, "property", name="transport", value=result.transport)
    for cause in result.root_causes:
        skipped = len(result.dependents(cause.case.id))
        why = redact(root_reason(cause)).splitlines()[0]
        value = f"{cause.case.id} failed ({skipped} case(s) skipped because of it): {why}"
        etree.SubElement(props, "property", name="root-cause", value=value)
    for r in result.results:
        case = etree.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{result.service}",
            name=r.case.id,
            time=f"{r.seconds:.3f}",
        )
        first = redact(r.reasons[0]).splitlines()[0] if r.reasons else ""
        if r.outcome == "failed":
            failure = etree.SubElement(case, "failure", message=first, type=r.case.rule)
            failure.text = _details(r)
        elif r.outcome == "skipped":
            etree.SubElement(case, "skipped", message=first)
        etree.SubElement(case, "system-out").text = _system_out(r, result)
    root = etree.Element("testsuites")
    root.append(suite)
    return root


def write_junit(result: SuiteResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        etree.tostring(
            junit_tree(result), pretty_print=True, xml_declaration=True, encoding="UTF-8"
        )
    )
    return path
