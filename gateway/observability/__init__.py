"""Operations: Prometheus metrics, JSON logs with a correlation id, and INSZ redaction.

See docs/operations.md for the metric families, the log format and how to wire these into the
service (``CorrelationIdMiddleware``, ``metrics_app``, ``configure_logging``).
"""

from __future__ import annotations

from gateway.observability.correlation import (
    CORRELATION_HEADER,
    accept_correlation_id,
    add_correlation_header,
    add_correlation_header_async,
    correlation_scope,
    current_correlation_id,
    new_correlation_id,
    outgoing_headers,
    with_correlation,
)
from gateway.observability.logs import (
    CorrelationIdFilter,
    InszRedactionFilter,
    JsonFormatter,
    TextFormatter,
    configure_logging,
    make_handler,
)
from gateway.observability.metrics import BrugMetrics, Outcome
from gateway.observability.middleware import CLIENT_STATE_KEY, CorrelationIdMiddleware
from gateway.observability.redaction import contains_insz, redact_insz, redact_value

__all__ = [
    "CLIENT_STATE_KEY",
    "CORRELATION_HEADER",
    "BrugMetrics",
    "CorrelationIdFilter",
    "CorrelationIdMiddleware",
    "InszRedactionFilter",
    "JsonFormatter",
    "Outcome",
    "TextFormatter",
    "accept_correlation_id",
    "add_correlation_header",
    "add_correlation_header_async",
    "configure_logging",
    "contains_insz",
    "correlation_scope",
    "current_correlation_id",
    "make_handler",
    "new_correlation_id",
    "outgoing_headers",
    "redact_insz",
    "redact_value",
    "with_correlation",
]
