"""One self-contained HTML page per run: no scripts, fonts or style sheets from elsewhere.

Testers mail it or attach it to a ticket, often on networks that block external assets, so
the CSS is inline and failures are opened by ``<details open>``. Per case: verdict, rule,
the reasons, then every exchange (request and answer, pretty-printed, redacted).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from lxml import etree

from conformance.endpoint.redact import redact, redact_bytes
from conformance.endpoint.runner import CaseResult, SuiteResult
from conformance.endpoint.transport import Exchange
from gateway.errors import BrugValidationError
from gateway.xml.safe_parser import parse_xml

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.passed{color:#11772d}.failed{color:#b00020;font-weight:bold}.skipped{color:#a66b00}
details{border:1px solid #ddd;margin:.6em 0;padding:.4em .8em;border-radius:4px}
summary{cursor:pointer} pre{background:#f6f6f6;padding:.6em;overflow-x:auto;
white-space:pre-wrap;word-break:break-all;font-size:.85em}
.reason{background:#fff0f0;border-left:4px solid #b00020;padding:.4em .8em;white-space:pre-wrap}
"""
_PRETTY_LIMIT = 256 * 1024


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


def _exchange(exchange: Exchange) -> str:
    status = f"HTTP {exchange.status}" if exchange.error is None else escape(redact(exchange.error))
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


def _case(result: CaseResult) -> str:
    opened = " open" if result.outcome == "failed" else ""
    reasons = "".join(f'<div class="reason">{escape(redact(r))}</div>' for r in result.reasons)
    exchanges = "\n".join(_exchange(e) for e in result.exchanges)
    return (
        f'<details id="{escape(result.case.id)}"{opened}><summary>'
        f'<span class="{result.outcome}">{result.outcome.upper()}</span> '
        f"<b>{escape(result.case.id)}</b> {escape(result.case.title)}</summary>"
        f"<p>rule: {escape(result.case.rule)} · operation: {escape(result.case.operation)}"
        f" · caller: {escape(result.caller)} · {result.seconds:.2f}s</p>"
        f"{reasons}{exchanges}</details>"
    )


def render_html(result: SuiteResult) -> str:
    rows = "".join(
        f'<tr><td><a href="#{escape(r.case.id)}">{escape(r.case.id)}</a></td>'
        f'<td class="{r.outcome}">{r.outcome}</td><td>{escape(r.case.rule)}</td>'
        f"<td>{escape(redact(r.reasons[0]).splitlines()[0]) if r.reasons else ''}</td></tr>"
        for r in result.results
    )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    verdict = "all cases passed" if result.exit_code == 0 else "some cases FAILED"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>brug conformance: {escape(result.service)}</title><style>{_CSS}</style></head>"
        f"<body><h1>brug conformance: {escape(result.service)}</h1>"
        f"<p>target {escape(result.target)} · {when} · {verdict}: "
        f"{result.count('passed')} passed, {result.count('failed')} failed, "
        f"{result.count('skipped')} skipped in {result.seconds:.1f}s"
        f"{' · ' + escape(result.transport) if result.transport else ''}</p>"
        f"<table><tr><th>case</th><th>result</th><th>rule</th><th>why</th></tr>{rows}</table>"
        + "\n".join(_case(r) for r in result.results)
        + "</body></html>\n"
    )


def write_html(result: SuiteResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result), encoding="utf-8")
    return path
