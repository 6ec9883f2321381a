"""The evaluation report as one self-contained HTML page: tables, charts, the rule, offline.

No script, no external host: styles are inline, charts are inline SVG (:mod:`.charts`), so the
file opens from a USB stick or a mail attachment as it is. Every text is escaped; the page is
written from a :class:`~gateway.report.model.ShownReport` only.
"""

from __future__ import annotations

from html import escape

from gateway.report import charts
from gateway.report.model import Shown, ShownReport, ShownTable

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2733;
background:#f6f7f9}
main{max-width:1040px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:2px solid
#1f5fa8;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
.lead{color:#4a5663;margin:0 0 12px}.notes{background:#eef3fa;border-left:4px solid #1f5fa8;
padding:8px 14px;margin:12px 0}.notes li{margin:2px 0}
table{border-collapse:collapse;margin:6px 0 4px;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid #e3e6ea;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f0f2f5;font-weight:600}
tr.total td{font-weight:600;border-top:2px solid #9aa5b1}
td.hidden{color:#8a5a00;background:#fff6e0}.note{color:#5b6672;font-size:12px;margin:2px 0 8px}
.charts{display:grid;grid-template-columns:1fr;gap:8px;margin:8px 0}
.charts svg{max-width:100%;height:auto}.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.kpi{border:1px solid #d7dde4;border-radius:6px;padding:8px 14px;min-width:150px}
.kpi b{display:block;font-size:22px}.kpi span{color:#5b6672;font-size:12px}
"""


def _cell(value: Shown) -> str:
    if value is None:
        return "<td>–</td>"
    if isinstance(value, str):
        return f'<td class="hidden">{escape(value)}</td>'
    if isinstance(value, float):
        text = "∞" if value == float("inf") else f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"<td>{escape(text)}</td>"
    return f"<td>{value:,}</td>"


def table_html(table: ShownTable) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in (table.row_label, *table.columns))
    body = []
    for row in table.rows:
        cells = "".join(_cell(row.cells.get(c)) for c in table.columns)
        body.append(f"<tr><td>{escape(row.label)}</td>{cells}</tr>")
    if table.total is not None:
        cells = "".join(_cell(table.total.cells.get(c)) for c in table.columns)
        body.append(f'<tr class="total"><td>total</td>{cells}</tr>')
    if not table.rows:
        body.append(f'<tr><td colspan="{len(table.columns) + 1}">nothing counted</td></tr>')
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<h3 id="{escape(table.key)}">{escape(table.title)}</h3>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"
    )


def _kpi(report: ShownReport, table: str, row: str | None, column: str, label: str) -> str:
    shown = report.table(table)
    source = shown.total if row is None else next((r for r in shown.rows if r.label == row), None)
    value: Shown = None if source is None else source.cells.get(column)
    text = "–" if value is None else (value if isinstance(value, str) else f"{value:,}")
    return f'<div class="kpi"><b>{escape(str(text))}</b><span>{escape(label)}</span></div>'


def _charts(report: ShownReport) -> dict[str, str]:
    """Chart SVG per table key: each chart is drawn above its table."""
    t = report.table
    flows = charts.bars(
        t("registrationsByMonth"),
        ("routed", "notBrussels", "refused"),
        title="VOV registrations per month: routed to Brussels, staying, refused",
        labels={"notBrussels": "stays in its own scheme"},
    )
    refusals = charts.bars(
        t("refusalsByRule"), ("count",), title="Refusals by rule", horizontal=True
    )
    hours = charts.bars(
        t("hoursClaimable"), ("count",), title="Hours claimable per BEV transfer (count)"
    )
    cap = charts.bars(
        t("hoursAgainstCap"), ("count",), title="Hours claimable as a share of the cap"
    )
    vok = charts.bars(
        t("vokComparison"),
        ("count",),
        title="Time credit with a training motive beside VOK candidates",
        horizontal=True,
    )
    return {
        "registrationsByMonth": flows,
        "refusalsByRule": refusals,
        "hoursClaimable": hours,
        "hoursAgainstCap": cap,
        "vokComparison": vok,
    }


def to_html(report: ShownReport) -> str:
    sections: dict[str, list[ShownTable]] = {}
    for table in report.tables:
        sections.setdefault(table.section, []).append(table)
    chart_svgs = _charts(report)
    parts = []
    for section, tables in sections.items():
        parts.append(f"<h2>{escape(section)}</h2>")
        for table in tables:
            if table.key in chart_svgs:
                parts.append(f'<div class="charts">{chart_svgs[table.key]}</div>')
            parts.append(table_html(table))
    kpis = "".join(
        (
            _kpi(report, "registrationsByRegion", None, "total", "VOV registrations received"),
            _kpi(report, "registrationsByRegion", None, "routed", "routed to Brussels"),
            _kpi(report, "transfersByStatus", "delivered", "count", "delivered to Brussels"),
            _kpi(report, "trainingTimeCredit", None, "count", "training time-credit attests"),
            _kpi(report, "vokCandidatesByMonth", None, "count", "VOK candidates found"),
        )
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
    threshold = report.threshold
    rule = (
        f"Counts from 1 to {threshold - 1} are shown as “&lt;{threshold}”; a cell hidden so "
        "that a total cannot give a small cell back is shown as “x”, and so are hours or "
        "latencies of a hidden count. Charts leave hidden cells out. The rule: docs/evaluation.md."
    )
    title = f"brug evaluation report {report.school_year}"
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><main>"
        f"<h1>Monitoring and evaluation, school year {escape(report.school_year)}</h1>"
        f'<p class="lead">What the brug gateway exchanged for VOV, BEV, federal time credit and '
        f"VOK. Generated {escape(generated)} from the gateway's own store.</p>"
        f'<div class="kpis">{kpis}</div>'
        f'<div class="notes"><b>Privacy.</b> {rule}<ul>{notes}</ul></div>'
        f"{''.join(parts)}</main></body></html>\n"
    )
