"""Correlation id: in from the caller (or new), through the app and its logs, out to partners."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from gateway.models.header import MessageHeader, Party
from gateway.observability import (
    CORRELATION_HEADER,
    CorrelationIdMiddleware,
    add_correlation_header_async,
    correlation_scope,
    current_correlation_id,
    make_handler,
    outgoing_headers,
    with_correlation,
)

log = logging.getLogger("gateway.test.correlation")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = make_handler(json_lines=True, stream=stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def partner_app() -> FastAPI:
    """Stands in for a partner: reports what correlation id reached it."""
    app = FastAPI()

    @app.post("/soap")
    async def soap(request: Request) -> dict[str, Any]:
        return {"header": request.headers.get(CORRELATION_HEADER)}

    return app


def gateway_app() -> FastAPI:
    app = FastAPI()
    partner = partner_app()

    @app.get("/work")
    async def work() -> dict[str, Any]:
        log.info("doing work")
        in_thread = await run_in_threadpool(current_correlation_id)
        transport = httpx.ASGITransport(app=partner)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://partner",
            event_hooks={"request": [add_correlation_header_async]},
        ) as client:
            seen = (await client.post("/soap")).json()["header"]
        header = with_correlation(
            MessageHeader(
                message_id=uuid.uuid4(),
                timestamp=datetime.now(UTC),
                sender=Party(code="flanders-wse"),
                recipient=Party(code="brussels-bee"),
                purpose="VOV_TO_BEV",
            )
        )
        return {
            "current": current_correlation_id(),
            "thread": in_thread,
            "partner_saw": seen,
            "soap_header": header.correlation_id,
        }

    app.add_middleware(CorrelationIdMiddleware)
    return app


def get(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://brug") as client:
            return await client.get("/work", headers=headers)

    return asyncio.run(go())


def test_incoming_id_round_trips(captured: io.StringIO) -> None:
    response = get(gateway_app(), {CORRELATION_HEADER: "acm-req-2025-0001"})
    assert response.headers[CORRELATION_HEADER] == "acm-req-2025-0001"
    assert response.json() == {
        "current": "acm-req-2025-0001",
        "thread": "acm-req-2025-0001",
        "partner_saw": "acm-req-2025-0001",
        "soap_header": "acm-req-2025-0001",
    }
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    work = next(entry for entry in lines if entry["message"] == "doing work")
    assert work["correlation_id"] == "acm-req-2025-0001"
    access = next(entry for entry in lines if entry["logger"] == "gateway.access")
    assert access["correlation_id"] == "acm-req-2025-0001"
    assert access["status"] == 200
    assert current_correlation_id() is None  # nothing leaks out of the request


def test_missing_id_is_generated() -> None:
    response = get(gateway_app())
    generated = response.headers[CORRELATION_HEADER]
    assert uuid.UUID(generated)
    assert response.json()["partner_saw"] == generated


@pytest.mark.parametrize(
    "bad",
    ["x" * 65, "evil\tforged-line", "85073003328", "id-85.07.30-033.28", "-leading-dash", ""],
)
def test_unacceptable_incoming_ids_are_replaced(bad: str) -> None:
    response = get(gateway_app(), {CORRELATION_HEADER: bad})
    replaced = response.headers[CORRELATION_HEADER]
    assert replaced != bad
    assert uuid.UUID(replaced)


def test_scope_for_workers_and_outgoing_headers() -> None:
    assert outgoing_headers({"SOAPAction": "x"}) == {"SOAPAction": "x"}
    with correlation_scope("batch-42") as cid:
        assert cid == "batch-42"
        assert outgoing_headers({"SOAPAction": "x"}) == {
            "SOAPAction": "x",
            CORRELATION_HEADER: "batch-42",
        }
    assert current_correlation_id() is None
