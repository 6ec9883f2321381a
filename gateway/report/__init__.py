"""The evaluation report: what the exchange tells policy, per school year (docs/evaluation.md).

``build.evaluation_report`` aggregates the store in SQL and suppresses small cells in one step;
``build.render`` writes the result as JSON, CSV or one offline HTML page. The CLI (``brug report
evaluation``), the REST API (``GET /v1/reports/evaluation``) and ``brug demo`` all go through
these two. ``facts`` is what intake writes for them. This module imports nothing, so intake does
not load matplotlib.
"""
