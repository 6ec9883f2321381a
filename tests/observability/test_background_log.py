"""Background logging (``[logging] background``, what ``brug serve`` runs with): the lines a
writer thread produces are the lines the foreground handler would have written, with the
caller's correlation id, no full INSZ, and nothing lost on a normal stop or blocked when full."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from gateway.observability import configure_logging
from gateway.observability.correlation import bind_correlation_id, unbind_correlation_id
from gateway.observability.logs import (
    BackgroundLog,
    EnqueueHandler,
    make_handler,
    stop_background_logging,
)

INSZ = "85073003328"


@pytest.fixture
def background() -> Iterator[tuple[io.StringIO, BackgroundLog]]:
    out = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    installed = configure_logging("DEBUG", json_lines=True, stream=out, background=True)
    assert isinstance(installed, EnqueueHandler) and installed.writer is not None
    writer = installed.writer
    yield out, writer
    writer.stop()
    root.removeHandler(installed)
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_root_gets_the_enqueue_handler_and_the_writer_writes_after_stop(background) -> None:
    out, writer = background
    assert [type(h) for h in logging.getLogger().handlers if isinstance(h, EnqueueHandler)] == [
        EnqueueHandler
    ]
    log = logging.getLogger("gateway.test.background")
    for i in range(500):
        log.info("record %d", i)
    writer.stop()  # drains the queue before it returns
    messages = [entry["message"] for entry in lines(out)]
    assert messages == [f"record {i}" for i in range(500)]


def test_correlation_id_is_the_callers_and_insz_is_masked(background) -> None:
    out, writer = background
    log = logging.getLogger("gateway.test.background")
    seen: list[str] = []

    def request(cid: str) -> None:
        token = bind_correlation_id(cid)
        try:
            log.info("worker %s", INSZ, extra={"insz": INSZ})
            seen.append(cid)
        finally:
            unbind_correlation_id(token)

    threads = [threading.Thread(target=request, args=(f"cid-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.stop()
    written = out.getvalue()
    assert INSZ not in written
    entries = lines(out)
    assert sorted(str(e["correlation_id"]) for e in entries) == sorted(seen)
    assert all("*" in str(e["message"]) and "*" in str(e["insz"]) for e in entries)


def test_arguments_are_merged_when_logged_not_when_written(background) -> None:
    out, writer = background
    mutable = ["before"]
    logging.getLogger("gateway.test.background").info("value %s", mutable)
    mutable[0] = "after"  # the caller goes on with its object
    writer.stop()
    assert lines(out)[0]["message"] == "value ['before']"


def test_exception_text_is_kept_and_the_traceback_released(background) -> None:
    out, writer = background
    try:
        raise ValueError(f"bad record {INSZ}")
    except ValueError:
        logging.getLogger("gateway.test.background").exception("failed")
    writer.stop()
    entry = lines(out)[0]
    assert "ValueError: bad record" in str(entry["exception"])
    assert INSZ not in str(entry["exception"])


def test_a_full_queue_drops_and_counts_instead_of_blocking() -> None:
    out = io.StringIO()
    writer = BackgroundLog(make_handler(json_lines=True, stream=out), size=3)
    log = logging.getLogger("gateway.test.background.full")
    log.propagate = False
    log.addHandler(writer.handler)  # not started: nothing drains the queue
    try:
        for i in range(10):
            log.warning("record %d", i)  # returns at once even though nobody reads
        assert writer.handler.dropped == 7
        writer.start()
        writer.stop()
    finally:
        log.removeHandler(writer.handler)
        log.propagate = True
    messages = [str(e["message"]) for e in lines(out)]
    assert messages == [
        "record 0",
        "record 1",
        "record 2",
        "7 log records dropped: the log writer could not keep up",
    ]


def test_configuring_again_stops_the_previous_writer(background) -> None:
    _, first = background
    root = logging.getLogger()
    second_out = io.StringIO()
    installed = configure_logging("DEBUG", stream=second_out, background=True)
    try:
        assert first.listener._thread is None  # stopped and joined
        assert sum(isinstance(h, EnqueueHandler) for h in root.handlers) == 1
        logging.getLogger("gateway.test.background").info("to the new writer")
    finally:
        stop_background_logging()
        root.removeHandler(installed)
    assert "to the new writer" in second_out.getvalue()


def test_after_stop_records_are_written_in_the_calling_thread(background) -> None:
    # What uvicorn logs after the application shut down (and before it re-raises SIGTERM,
    # which skips atexit) must not wait in a queue that nobody reads any more.
    out, writer = background
    writer.stop()
    logging.getLogger("gateway.test.background").info("Finished server process [%d]", 1)
    assert lines(out)[-1]["message"] == "Finished server process [1]"  # no stop() needed
    writer.start()
    logging.getLogger("gateway.test.background").info("queued again")
    writer.stop()
    assert lines(out)[-1]["message"] == "queued again"
