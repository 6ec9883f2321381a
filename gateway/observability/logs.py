"""Structured logs on the standard library's ``logging``: JSON lines, correlation id, no INSZ.

Why stdlib logging and not structlog: every library brug runs on (uvicorn, zeep, SQLAlchemy,
httpx) already logs through ``logging``. One handler at the root, with one redaction filter,
therefore covers *all* of them; with structlog the third-party records would still arrive via
``logging`` and need the same filter. So the one place that must never fail (redaction) sits
where every record passes, and no dependency is added.

Redaction is applied twice on purpose: the filter rewrites the record (message, arguments,
extra fields, exception text) so any handler sees a clean record, and the formatters redact the
final line again, catching what a ``__str__`` produced only at formatting time.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from gateway.observability.correlation import current_correlation_id
from gateway.observability.redaction import redact_insz, redact_value

# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "correlation_id",
}
_INSTALLED = "_brug_handler"
THIRD_PARTY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")


class InszRedactionFilter(logging.Filter):
    """Mask INSZ-looking numbers everywhere in a record. Attach it to *handlers*: a filter on a
    logger does not see records propagated from its children."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact_insz(message)
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD:
                setattr(record, name, redact_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_insz(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_insz(record.stack_info)
        return True


class CorrelationIdFilter(logging.Filter):
    """Stamp the current correlation id on the record (``-`` outside any request or scope)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "correlation_id", None):
            record.correlation_id = current_correlation_id() or "-"
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``message``, ``correlation_id``,
    every ``extra=`` field, and ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None)
            or current_correlation_id()
            or "-",
        }
        for key, value in _extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        line = json.dumps(entry, default=str, ensure_ascii=False)
        return redact_insz(line)


class TextFormatter(logging.Formatter):
    """For a terminal: ``time level [correlation] logger: message key=value ...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s [%(correlation_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "correlation_id", None):
            record.correlation_id = current_correlation_id() or "-"
        line = super().format(record)
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        return redact_insz(f"{line} {extras}" if extras else line)


def make_handler(*, json_lines: bool = True, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler with brug's filters and formatter (for embedding or tests)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(CorrelationIdFilter())
    handler.addFilter(InszRedactionFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    return handler


def configure_logging(
    level: str | int = "INFO", *, json_lines: bool = True, stream: TextIO | None = None
) -> logging.Handler:
    """Route every log record, brug's and the libraries', through one redacting handler.

    Idempotent: calling it again replaces the handler it installed before. uvicorn's loggers
    lose their own handlers and propagate to the root, so access logs are redacted too (start
    uvicorn with ``log_config=None`` so that it does not install them again).
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _INSTALLED, False):
            root.removeHandler(existing)
    handler = make_handler(json_lines=json_lines, stream=stream)
    setattr(handler, _INSTALLED, True)
    root.addHandler(handler)
    root.setLevel(level)
    for name in THIRD_PARTY_LOGGERS:
        third = logging.getLogger(name)
        third.handlers.clear()
        third.propagate = True
    return handler
