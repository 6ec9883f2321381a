"""Charts of the evaluation report, as inline SVG (matplotlib, no pyplot, no display).

Each chart reads a :class:`~gateway.report.model.ShownTable`, so it can only draw what the
tables show: a hidden cell ("<5", "x") is not drawn and the chart says how many it left out.
``matplotlib.figure.Figure`` is used directly (not ``pyplot``): no global state, safe in the
REST API's worker threads. Text stays text in the SVG (``svg.fonttype: none``) and the output
carries no date, so the same figures give the same page.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from gateway.report.model import Shown, ShownTable

matplotlib.use("Agg")

PALETTE = ("#1f5fa8", "#e08a1e", "#b8325a", "#4a9c5d", "#7a5aa8", "#6b7b8c")
_RC: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "brug-evaluation", "font.size": 9}


def _value(cell: Shown) -> float | None:
    return float(cell) if isinstance(cell, int | float) and not isinstance(cell, bool) else None


def _svg(figure: Figure, salt: str) -> str:
    """The figure as an ``<svg>`` element; ``salt`` makes its element ids unique on the page
    (several charts share one document) and stable from run to run."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"brug-{salt}"}):
        figure.savefig(
            buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
        )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # the RDF metadata block names namespaces by URL: nothing a reader needs
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if 0 <= start < end:
        text = text[:start] + text[end + len("</metadata>") :]
    # matplotlib numbers ids per figure (figure_1, axes_1...): prefix them, so that the ids of
    # several charts in one page stay unique, references included
    prefix = "c" + hashlib.sha256(salt.encode()).hexdigest()[:8] + "-"
    return (
        text.replace('id="', f'id="{prefix}')
        .replace("url(#", f"url(#{prefix}")
        .replace('href="#', f'href="#{prefix}')
    )


def _figure(width: float = 7.5, height: float = 3.2) -> Figure:
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width, height), dpi=100)
    return figure


def _hidden_note(hidden: int) -> str:
    return f"{hidden} hidden cell(s) (<threshold or x) not drawn" if hidden else ""


def bars(
    table: ShownTable,
    columns: Sequence[str],
    *,
    title: str,
    stacked: bool = True,
    horizontal: bool = False,
    labels: dict[str, str] | None = None,
) -> str:
    """Bars per row of ``table``, one series per column (stacked or side by side)."""
    labels = labels or {}
    with matplotlib.rc_context(_RC):
        rows = table.rows
        height = max(2.4, 0.32 * len(rows) + 1.2) if horizontal else 3.2
        figure = _figure(7.5, height)
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        base = [0.0] * len(rows)
        hidden = 0
        width = 0.8 if stacked else 0.8 / max(1, len(columns))
        for index, column in enumerate(columns):
            values = []
            for row in rows:
                value = _value(row.cells.get(column))
                if value is None and row.cells.get(column) is not None:
                    hidden += 1
                values.append(value or 0.0)
            offsets = positions if stacked else [p - 0.4 + width * (index + 0.5) for p in positions]
            color = PALETTE[index % len(PALETTE)]
            name = labels.get(column, column)
            if horizontal:
                axes.barh(offsets, values, height=width, left=base if stacked else None,
                          color=color, label=name)  # fmt: skip
            else:
                axes.bar(offsets, values, width=width, bottom=base if stacked else None,
                         color=color, label=name)  # fmt: skip
            if stacked:
                base = [b + v for b, v in zip(base, values, strict=True)]
        names = [row.label for row in rows]
        if horizontal:
            axes.set_yticks(positions, names)
            axes.invert_yaxis()
            axes.xaxis.grid(True, color="#dddddd")
        else:
            axes.set_xticks(positions, names, rotation=45 if len(rows) > 6 else 0, ha="right"
                            if len(rows) > 6 else "center")  # fmt: skip
            axes.yaxis.grid(True, color="#dddddd")
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_title(title, loc="left", fontsize=10, fontweight="bold")
        if len(columns) > 1:
            # beside the plot, never over a bar
            axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        note = _hidden_note(hidden)
        if note:
            figure.text(0.01, -0.02, note, fontsize=7, color="#666666")
        if not rows:
            axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)
        return _svg(figure, f"{table.key}-{title}")
