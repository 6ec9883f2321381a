"""No full INSZ ever reaches a log line, whichever way it was put into the record."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.identifiers.insz import mask_insz, validate_insz
from gateway.observability import configure_logging, make_handler, redact_insz, redact_value
from tests.strategies import insz

INSZ = "85073003328"
PRINTED = "85.07.30-033.28"


@pytest.fixture
def capture() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """The root configured as the service does it (JSON), plus a text handler beside it."""
    json_out, text_out = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    installed = configure_logging("DEBUG", json_lines=True, stream=json_out)
    text_handler = make_handler(json_lines=False, stream=text_out)
    root.addHandler(text_handler)
    yield json_out, text_out
    for handler in (installed, text_handler):
        root.removeHandler(handler)
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def emit_everywhere(number: str) -> None:
    log = logging.getLogger("gateway.test.redaction")
    log.info("registration for %s accepted", number)
    log.warning(f"f-string with {number} inside")
    log.info(
        "extra fields",
        extra={
            "insz": number,
            "nested": {"worker": [number]},
            "as_int": int(number.replace(".", "").replace("-", "")),
        },
    )
    try:
        raise ValueError(f"bad record {number}")
    except ValueError:
        log.exception("failed")
    logging.getLogger("uvicorn.access").info('GET /persons/%s HTTP/1.1" 200', number)
    log.info("dict arg %(who)s", {"who": number})


@pytest.mark.parametrize("number", [INSZ, PRINTED])
def test_full_insz_never_appears(capture: tuple[io.StringIO, io.StringIO], number: str) -> None:
    assert validate_insz(number) == INSZ
    emit_everywhere(number)
    json_out, text_out = capture
    for output in (json_out.getvalue(), text_out.getvalue()):
        assert output
        assert INSZ not in output
        assert PRINTED not in output
        assert mask_insz(INSZ) in output
    for line in json_out.getvalue().splitlines():
        entry = json.loads(line)
        assert {"ts", "level", "logger", "message", "correlation_id"} <= set(entry)
    failed = [json.loads(x) for x in json_out.getvalue().splitlines() if '"failed"' in x]
    assert "ValueError: bad record ********328" in failed[0]["exception"]


def test_other_numbers_are_left_alone() -> None:
    text = "KBO 0316381039, epoch ms 1735689600000, amount 21.30, hours 125, id 123456789012"
    assert redact_insz(text) == text


def test_redact_value_walks_structures() -> None:
    value = {"a": [INSZ, ("x", PRINTED)], INSZ: {85073003328}, "n": 42, "ok": True}
    assert redact_value(value) == {
        "a": ["********328", ("x", "********328")],
        "********328": {"********328"},
        "n": 42,
        "ok": True,
    }


@settings(max_examples=200, deadline=None)
@given(
    number=insz(),
    before=st.sampled_from(["", "insz=", "/persons/", " "]),
    after=st.sampled_from(["", " ", ",", "/"]),
)
def test_any_valid_insz_is_masked(number: str, before: str, after: str) -> None:
    out = redact_insz(f"{before}{number}{after}")
    digits = "".join(ch for ch in number if ch.isdigit())
    assert digits not in "".join(ch for ch in out if ch.isdigit() or ch == "*")
    assert out == f"{before}{mask_insz(number)}{after}"


def test_text_logs_cannot_be_forged_with_control_characters() -> None:
    """A request path holding %0A (decoded to a newline) stays on its own log line."""
    out = io.StringIO()
    handler = make_handler(json_lines=False, stream=out)
    logger = logging.getLogger("test.forging")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("GET %s 404", "/v1/x\n2026-12-07 INFO fake: admin logged in\x1b[31m")
        logger.warning("with extra", extra={"path": "/a\r\nforged"})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert len([ln for ln in lines if "test.forging" in ln]) == 3
    assert "\\x0a2026-12-07 INFO fake" in lines[0] and "\\x1b[31m" in lines[0]
    assert "path=/a\\x0d\\x0aforged" in lines[1]
    assert any("Traceback" in ln for ln in lines)  # a traceback keeps its own lines
