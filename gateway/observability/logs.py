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

import atexit
import json
import logging
import logging.handlers
import queue
import re
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
    # uvicorn's copy of the message with ANSI colour codes, for its own coloured formatter:
    # the plain "message" already says it, and escape codes do not belong in a log line.
    "color_message",
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
        """One line per record: control characters in the message and the extra fields are
        escaped, so a request path holding ``%0A`` cannot forge a second log line (a traceback,
        appended by the formatter itself, keeps its lines)."""
        if not getattr(record, "correlation_id", None):
            record.correlation_id = current_correlation_id() or "-"
        record.msg, record.args = escape_controls(record.getMessage()), None
        line = super().format(record)
        extras = " ".join(f"{k}={escape_controls(str(v))}" for k, v in _extras(record).items())
        return redact_insz(f"{line} {extras}" if extras else line)


_CONTROLS = re.compile("[\x00-\x1f\x7f]")


def escape_controls(text: str) -> str:
    """``text`` with C0 controls and DEL written as ``\\xNN`` (one log line stays one line)."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def make_handler(*, json_lines: bool = True, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler with brug's filters and formatter (for embedding or tests)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(CorrelationIdFilter())
    handler.addFilter(InszRedactionFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    return handler


#: Records waiting for the writer thread at most; past that new records are dropped and counted.
QUEUE_SIZE = 10_000


class EnqueueHandler(logging.handlers.QueueHandler):
    """The request threads' side of background logging: stamp, freeze, enqueue, return.

    Why: with one ``StreamHandler`` every thread that logs formats JSON, runs the INSZ redaction
    and writes to the stream while holding the handler's lock, so request threads queue behind
    each other's ``write`` calls (py-spy on a loaded gateway: ~24 % of its samples were in
    logging, most waiting for that lock). Here the caller only does what must happen in its own
    thread: the correlation id is read from *its* context, the message is merged with its
    arguments (they may change once the call returns) and an exception becomes text (the
    traceback's frames must not outlive the call). Redaction, formatting and writing happen in
    the :class:`BackgroundLog` thread, through the same handler and filters as in the foreground,
    so the written lines are the same.

    Logging never blocks a request: when the queue is full the record is dropped and counted
    (``dropped``), and the count is written when the writer stops. Once the writer has stopped,
    records go straight to ``direct`` (the writer's handler) in the calling thread, as without a
    writer: what is logged during and after shutdown is not left in a queue nobody reads.
    """

    def __init__(self, log_queue: queue.Queue[logging.LogRecord]) -> None:
        super().__init__(log_queue)
        self.addFilter(CorrelationIdFilter())
        self.dropped = 0
        self.direct: logging.Handler | None = None
        self.writer: BackgroundLog | None = None  # set by the BackgroundLog that owns it

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        try:
            record.msg = record.getMessage()
        except (TypeError, ValueError):
            record.msg = f"{record.msg!s} {record.args!r}"
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        direct = self.direct
        if direct is not None:
            direct.handle(record)
            return
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


class BackgroundLog:
    """A writer thread (:class:`logging.handlers.QueueListener`) behind an :class:`EnqueueHandler`.

    ``stop`` writes what is still queued, then the number of dropped records if any, and from
    then on the handler writes in the calling thread. It must run before the process ends:
    the gateway's application calls :func:`stop_background_logging` when it shuts down, because
    uvicorn ends a graceful shutdown by raising the SIGTERM it caught again, which ends the
    process without running ``atexit`` (registered too, for every other way out).
    """

    def __init__(self, target: logging.Handler, size: int = QUEUE_SIZE) -> None:
        self.target = target
        self.queue: queue.Queue[logging.LogRecord] = queue.Queue(maxsize=size)
        self.handler = EnqueueHandler(self.queue)
        self.handler.writer = self
        self.listener = logging.handlers.QueueListener(
            self.queue, target, respect_handler_level=True
        )
        self._running = False

    def start(self) -> None:
        if not self._running:
            self.handler.direct = None
            self.listener.start()
            self._running = True
            atexit.register(self.stop)

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        atexit.unregister(self.stop)
        self.listener.stop()  # drains the queue before it returns
        if self.handler.dropped:
            lost = logging.LogRecord(
                "gateway.observability.logs",
                logging.WARNING,
                __file__,
                0,
                "%d log records dropped: the log writer could not keep up",
                (self.handler.dropped,),
                None,
            )
            self.target.handle(lost)
            self.handler.dropped = 0
        self.handler.direct = self.target


def stop_background_logging() -> None:
    """Stop the writer thread :func:`configure_logging` installed, if any (see
    :class:`BackgroundLog`): queued records are written, later ones in the calling thread."""
    for existing in logging.getLogger().handlers:
        _stop_writer(existing)


def _stop_writer(handler: logging.Handler) -> None:
    if isinstance(handler, EnqueueHandler) and handler.writer is not None:
        handler.writer.stop()


def configure_logging(
    level: str | int = "INFO",
    *,
    json_lines: bool = True,
    stream: TextIO | None = None,
    background: bool = False,
) -> logging.Handler:
    """Route every log record, brug's and the libraries', through one redacting handler.

    Idempotent: calling it again replaces the handler it installed before. uvicorn's loggers
    lose their own handlers and propagate to the root, so access logs are redacted too (start
    uvicorn with ``log_config=None`` so that it does not install them again).

    ``background=True`` (what ``brug serve`` uses, ``[logging] background``) puts an
    :class:`EnqueueHandler` at the root and the redacting handler behind a writer thread;
    the returned handler is the one at the root either way.
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _INSTALLED, False):
            root.removeHandler(existing)
            _stop_writer(existing)
    handler = make_handler(json_lines=json_lines, stream=stream)
    if background:
        writer = BackgroundLog(handler)
        installed: logging.Handler = writer.handler
        writer.start()
    else:
        installed = handler
    setattr(installed, _INSTALLED, True)
    root.addHandler(installed)
    root.setLevel(level)
    for name in THIRD_PARTY_LOGGERS:
        third = logging.getLogger(name)
        third.handlers.clear()
        third.propagate = True
    return installed
