"""POST /v1/vov-registrations/bulk: per-line results in order, a summary, per-line idempotency,
limits; and flat memory over a real socket with a streamed upload."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.service.context import GatewayContext
from gateway.service.rest.bulk import MAX_LINE_BYTES, read_lines
from tests.service.rest.bulk_support import (
    RssSampler,
    chunked,
    ndjson_lines,
    sample_with_catalogue,
    varied_lines,
)
from tests.service.rest.conftest import example
from tests.service.rest.problem_support import problem, rule_of, rules
from tests.simulators.support import ThreadedServer

NDJSON = {"Content-Type": "application/x-ndjson"}


def _post(client: TestClient, auth: dict[str, str], body: bytes, key: str) -> list[dict[str, Any]]:
    response = client.post(
        "/v1/vov-registrations/bulk",
        content=body,
        headers={**auth, **NDJSON, "Idempotency-Key": key},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_a_few_thousand_lines_with_defects(
    client: TestClient, auth: dict[str, str], context: GatewayContext
) -> None:
    sample = sample_with_catalogue(context, 2500, seed=7)
    body = b"".join(ndjson_lines(sample, garbage_every=97))
    wrapped = {
        "registration": example("vov-registration-brussels.json"),
        "course": example("odb-course.json"),
    }
    body += b"\n" + json.dumps(wrapped).encode() + b"\n"  # a blank line, then a wrapped one
    results = _post(client, auth, body, str(uuid.uuid4()))
    *lines, last = results
    summary = last["summary"]
    assert [r["line"] for r in lines] == [n for n in range(1, 2503) if n != 2501]
    assert summary["lines"] == len(lines) == 2501
    assert summary["accepted"] + summary["rejected"] + summary["notForBrussels"] == 2501
    by_status = {
        s: [r for r in lines if r["status"] == s]
        for s in ("accepted", "rejected", "not-for-brussels")
    }
    assert len(by_status["accepted"]) == summary["accepted"] > 1500
    assert summary["notForBrussels"] > 100 and summary["rejected"] > 50
    rules = {rule_of(i) for r in by_status["rejected"] for i in r["issues"]}
    assert {"insz.checksum", "json.well-formed", "crosswalk.unknown-course"} <= rules
    assert all(
        rule_of(i) == "route.not-brussels"
        for r in by_status["not-for-brussels"]
        for i in r["issues"]
    )
    masked = [i for r in by_status["rejected"] for i in r["issues"] if i["name"].endswith("ssin")]
    assert masked and all(re.fullmatch(r"\*{8}(\d{3}|\*{3})", i["value"]) for i in masked)
    assert any(i["value"][-3:].isdigit() for i in masked)  # masked once: last digits kept
    accepted = by_status["accepted"]
    assert lines[-1]["status"] == "accepted"  # the wrapped line
    assert len({r["messageId"] for r in accepted}) == len(accepted)
    sample_ids = [accepted[0]["messageId"], accepted[-1]["messageId"]]
    assert all(len(context.outbox.find_message(m)) == 1 for m in sample_ids)


def test_resending_the_file_replays_accepted_lines(
    client: TestClient, auth: dict[str, str], context: GatewayContext
) -> None:
    sample = sample_with_catalogue(context, 60, seed=11)
    body = b"".join(ndjson_lines(sample))
    key = str(uuid.uuid4())
    first = _post(client, auth, body, key)
    second = _post(client, auth, body, key)
    accepted = [r for r in first[:-1] if r["status"] == "accepted"]
    again = {r["line"]: r for r in second[:-1]}
    assert accepted
    for result in accepted:
        assert again[result["line"]]["messageId"] == result["messageId"]
        assert again[result["line"]]["replayed"] is True
        assert len(context.outbox.find_message(result["messageId"])) == 1
    assert second[-1]["summary"]["replayed"] == len(accepted)

    changed = body.replace(b'"contactHours":"', b'"contactHours":"1', 1)
    third = _post(client, auth, changed, key)
    assert third[0]["status"] == "rejected" or first[0]["status"] != "accepted"
    if first[0]["status"] == "accepted":
        assert rule_of(third[0]["issues"][0]) == "idempotency.key-reused"


def test_line_limit_wrong_media_type_and_missing_key(
    client: TestClient, auth: dict[str, str]
) -> None:
    huge = b'{"registrationId":"' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n{}\n'
    results = _post(client, auth, huge, str(uuid.uuid4()))
    assert rule_of(results[0]["issues"][0]) == "bulk.line-too-long"
    odd = b'{"registration":{"registrationId":"S-1"},"extra_key":1}\n{"worker":{"x_y":1}}\n'
    first, second, _ = _post(client, auth, odd, str(uuid.uuid4()))
    assert [(rule_of(i), i["name"]) for i in first["issues"]] == [("unknownInput", "extra_key")]
    named = {(rule_of(i), i["name"]) for i in second["issues"]}
    assert ("unknownInput", "worker.x_y") in named  # as sent, not renamed to worker.xY
    assert ("schemaViolation", "worker.ssin") in named
    assert results[1]["line"] == 2 and results[1]["status"] == "rejected"
    assert results[-1]["summary"]["lines"] == 2
    wrong = client.post(
        "/v1/vov-registrations/bulk",
        content=b"{}\n",
        headers={**auth, "Content-Type": "text/csv", "Idempotency-Key": "k-1"},
    )
    problem(wrong, 415, "unsupportedMediaType")
    missing = client.post("/v1/vov-registrations/bulk", content=b"{}\n", headers={**auth, **NDJSON})
    assert rules(missing) == ["idempotency.key-missing"]


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_read_lines_cuts_anywhere(size: int) -> None:
    data = b'{"a":1}\r\n\n{"b":2}\n' + b"y" * 50 + b"\nlast"

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start : start + size]

    async def collect() -> list[tuple[int, bytes | None]]:
        return [line async for line in read_lines(chunks(), 40)]

    assert asyncio.run(collect()) == [
        (1, b'{"a":1}'),
        (2, b""),
        (3, b'{"b":2}'),
        (4, None),
        (5, b"last"),
    ]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux /proc")
def test_twenty_thousand_lines_over_a_socket_in_flat_memory(
    app: FastAPI, context: GatewayContext, auth: dict[str, str]
) -> None:
    """A real server, a chunked upload generated on the fly, the answer read line by line:
    neither side ever holds the file. The resident set may grow by a few MB (SQLite pages,
    allocator arenas), not by the file (about 14 MB) or by its signed messages (~30 MB)."""
    sample = sample_with_catalogue(context, 400, seed=3)
    url_path = "/v1/vov-registrations/bulk"

    def run(count: int, key: str) -> dict[str, Any]:
        summary: dict[str, Any] = {}
        lines = 0
        with (
            httpx.Client(base_url=server.url, timeout=120) as http,
            http.stream(
                "POST",
                url_path,
                content=chunked(varied_lines(sample, count)),
                headers={**auth, **NDJSON, "Idempotency-Key": key},
            ) as response,
        ):
            assert response.status_code == 200
            for line in response.iter_lines():
                lines += 1
                if line.startswith('{"summary"'):
                    summary = json.loads(line)["summary"]
        assert lines == count + 1
        return summary

    with ThreadedServer(app) as server:
        run(2000, str(uuid.uuid4()))  # warm-up: pools, caches, allocator arenas
        with RssSampler() as rss:
            summary = run(20_000, str(uuid.uuid4()))
    assert summary["lines"] == 20_000
    assert summary["accepted"] >= 4000
    assert rss.growth < 20 * 1024 * 1024, f"RSS grew by {rss.growth / 1e6:.1f} MB"
