"""One self-contained HTML page per run: no scripts, fonts or style sheets from elsewhere.

Testers mail it or attach it to a ticket, often on networks that block external assets, so
the CSS is inline and there is no script at all: the "failed cases only" filter is a checkbox
whose ``:checked`` state hides the other rows and cases through CSS, so it works wherever the
page is opened (JavaScript off included). Failures are opened by ``<details open>``.

The page leads with the root causes (a failure that made later cases meaningless, with the
cases skipped because of it), then one row per case, then per case: verdict, rule (linked to
``docs/``), the checks made (expected / actual / result), the reasons, and every exchange
(request and answer, pretty-printed, redacted).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from lxml import etree

from conformance.endpoint.checks import Check
from conformance.endpoint.redact import redact, redact_bytes
from conformance.endpoint.reports.links import default_docs_base, linked
from conformance.endpoint.runner import CaseResult, SuiteResult, root_reason
from conformance.endpoint.transport import Exchange
from gateway.errors import BrugValidationError
from gateway.xml.safe_parser import parse_xml

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.4em} table{border-collapse:collapse;margin:.4em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.passed{color:#11772d}.failed{color:#b00020;font-weight:bold}.skipped{color:#8a5a00}
details{border:1px solid #ddd;margin:.6em 0;padding:.4em .8em;border-radius:4px}
details.outcome-failed{border-left:4px solid #b00020} td.id{white-space:nowrap}
summary{cursor:pointer} pre{background:#f6f6f6;padding:.6em;overflow-x:auto;
white-space:pre-wrap;word-break:break-all;font-size:.85em}
.reason{background:#fff0f0;border-left:4px solid #b00020;padding:.4em .8em;white-space:pre-wrap}
.because{background:#fff8e6;border-left:4px solid #8a5a00;padding:.4em .8em}
.root{background:#fff0f0;border:1px solid #b00020;padding:.6em 1em;border-radius:4px;margin:1em 0}
.filter{margin:1em 0;padding:.4em .8em;background:#f3f6fb;border-radius:4px;display:inline-block}
td.check-passed{color:#11772d} td.check-failed{color:#b00020;font-weight:bold}
table.checks td{font-size:.9em}
#failed-only:checked ~ table.cases tr.case-row:not(.outcome-failed){display:none}
#failed-only:checked ~ section.cases details:not(.outcome-failed){display:none}
#failed-only:checked ~ .filter .all-shown{display:none}
#failed-only:not(:checked) ~ .filter .failed-shown{display:none}
#failed-only{position:absolute;opacity:0}
#failed-only:focus-visible ~ .filter{outline:2px solid #1a56b0}
.box{display:inline-block;width:1em;height:1em;border:1px solid #555;border-radius:2px;
vertical-align:-.15em;margin-right:.4em;text-align:center;line-height:1em}
#failed-only:checked ~ .filter .box::after{content:"\\2713"}
"""
_PRETTY_LIMIT = 256 * 1024
_MARK = {True: "pass", False: "FAIL"}


def _pretty(data: bytes) -> str:
    """Indented XML when it parses (and is not huge), else the text as received; redacted."""
    if data and len(data) < _PRETTY_LIMIT:
        try:
            root = parse_xml(data)  # hardened: an XXE request is shown as sent, never resolved
            etree.indent(root, space="  ")
            data = etree.tostring(root, encoding="UTF-8")
        except BrugValidationError:
            pass
    return escape(redact_bytes(data))


def _text(value: str) -> str:
    return escape(redact(value))


def _exchange(exchange: Exchange) -> str:
    status = f"HTTP {exchange.status}" if exchange.error is None else _text(exchange.error)
    parts = [
        f"<h4>{escape(exchange.label)}: {exchange.method} {escape(exchange.url)} → {status}"
        f" ({exchange.seconds * 1000:.0f} ms)</h4>"
    ]
    if exchange.request:
        parts.append(
            f"<p>request ({len(exchange.request)} bytes)</p><pre>{_pretty(exchange.request)}</pre>"
        )
    if exchange.response:
        kind = escape(exchange.content_type or "no content type")
        parts.append(f"<p>answer ({kind})</p><pre>{_pretty(exchange.response)}</pre>")
    return "\n".join(parts)


def _checks(checks: list[Check]) -> str:
    if not checks:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(c.name)}</code></td><td>{_text(c.expected)}</td>"
        f"<td>{_text(c.actual)}</td>"
        f'<td class="check-{"passed" if c.passed else "failed"}">{_MARK[c.passed]}</td></tr>'
        for c in checks
    )
    return (
        '<table class="checks"><tr><th>check</th><th>expected</th><th>actual</th>'
        f"<th>result</th></tr>{rows}</table>"
    )


def _because(result: CaseResult) -> str:
    """The skip sentence, with the root case's id as a link to it."""
    text = _text(result.reasons[0]) if result.reasons else ""
    root = result.skipped_because
    if root is not None:
        anchor = f'<a href="#{escape(root)}">{escape(root)}</a>'
        text = text.replace(escape(root), anchor, 1)
    return f'<div class="because">{text}</div>'


def _case(result: CaseResult, suite: SuiteResult, docs: str | None) -> str:
    opened = " open" if result.outcome == "failed" else ""
    if result.outcome == "skipped":
        body = _because(result)
    else:
        body = "".join(f'<div class="reason">{_text(r)}</div>' for r in result.reasons)
    dependents = suite.dependents(result.case.id)
    if dependents:
        listed = ", ".join(f'<a href="#{escape(d)}">{escape(d)}</a>' for d in dependents)
        body = (
            f"<p><b>Root cause</b>: {len(dependents)} later case(s) skipped because of it: "
            f"{listed}</p>{body}"
        )
    needs = ""
    if result.case.needs:
        needs = " · needs: " + ", ".join(
            f'<a href="#{escape(n)}">{escape(n)}</a>' for n in result.case.needs
        )
    exchanges = "\n".join(_exchange(e) for e in result.exchanges)
    return (
        f'<details id="{escape(result.case.id)}" class="outcome-{result.outcome}"{opened}>'
        "<summary>"
        f'<span class="{result.outcome}">{result.outcome.upper()}</span> '
        f"<b>{escape(result.case.id)}</b> {_text(result.case.title)}</summary>"
        f"<p>rule: {linked(redact(result.case.rule), docs)} · operation: "
        f"{escape(result.case.operation)} · caller: {escape(result.caller)}"
        f" · {result.seconds:.2f}s{needs}</p>"
        f"{body}{_checks(result.checks)}{exchanges}</details>"
    )


def _root_causes(suite: SuiteResult) -> str:
    roots = suite.root_causes
    if not roots:
        return ""
    items = "".join(
        f'<li><a href="#{escape(r.case.id)}">{escape(r.case.id)}</a> failed: '
        f"{_text(root_reason(r)).splitlines()[0]}"
        f" — {len(suite.dependents(r.case.id))} case(s) skipped because of it</li>"
        for r in roots
    )
    return (
        f'<div class="root"><b>Root cause{"s" if len(roots) > 1 else ""}</b>: fix '
        f"{'these' if len(roots) > 1 else 'this'} first, the skipped cases depend on it."
        f"<ul>{items}</ul></div>"
    )


def _row(r: CaseResult, docs: str | None) -> str:
    why = _text(r.reasons[0]).splitlines()[0] if r.reasons else ""
    if r.skipped_because is not None:  # the reason is given once, with the root cause
        root = escape(r.skipped_because)
        why = f'because <a href="#{root}">{root}</a> failed (root cause)'
    return (
        f'<tr class="case-row outcome-{r.outcome}"><td class="id"><a href="#{escape(r.case.id)}">'
        f'{escape(r.case.id)}</a></td><td class="{r.outcome}">{r.outcome}</td>'
        f"<td>{linked(redact(r.case.rule), docs)}</td><td>{why}</td></tr>"
    )


def render_html(result: SuiteResult, docs_base: str | None = None) -> str:
    """The page; ``docs_base`` prefixes ``docs/`` references (None: they stay plain text)."""
    rows = "".join(_row(r, docs_base) for r in result.results)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    verdict = "all cases passed" if result.exit_code == 0 else "some cases FAILED"
    failed = result.count("failed")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>brug conformance: {escape(result.service)}</title><style>{_CSS}</style></head>"
        f"<body><h1>brug conformance: {escape(result.service)}</h1>"
        f"<p>target {escape(result.target)} · {when} · {verdict}: "
        f"{result.count('passed')} passed, {failed} failed, "
        f"{result.count('skipped')} skipped in {result.seconds:.1f}s"
        f"{' · ' + escape(result.transport) if result.transport else ''}</p>"
        f"{_root_causes(result)}"
        '<input type="checkbox" id="failed-only">'
        '<label class="filter" for="failed-only"><span class="box"></span>'
        f'<span class="all-shown">Show failed cases only ({failed})</span>'
        '<span class="failed-shown">Showing failed cases only: show all</span></label>'
        '<table class="cases"><tr><th>case</th><th>result</th><th>rule</th><th>why</th></tr>'
        f"{rows}</table>"
        '<section class="cases">'
        + "\n".join(_case(r, result, docs_base) for r in result.results)
        + "</section></body></html>\n"
    )


def write_html(result: SuiteResult, path: Path, docs_base: str | None = None) -> Path:
    """Write the page; rule references link under ``docs_base`` (default: the repo's docs/)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    base = docs_base if docs_base is not None else default_docs_base(path)
    path.write_text(render_html(result, base), encoding="utf-8")
    return path
