"""``POST /v1/vov-registrations/bulk``: an NDJSON file of registrations, in flat memory.

Employers file VOV refunds "one by one or as a bulk file"; a backend forwarding a school year's
worth of Brussels registrations may send a million lines. So the body is read incrementally
from ``request.stream()`` (never whole), cut into lines of at most :data:`MAX_LINE_BYTES`, and
handled in batches of :data:`BATCH_SIZE`: mapping outside any transaction, then one
transaction per batch for the outbox, audit and idempotency rows (one statement per table).
Memory is bounded by one batch.

Idempotency is per line: line ``n`` of a request with key ``K`` is recorded as ``bulk:K#n``
with the SHA-256 of the line. Sending the same file again with the same key answers every
already-accepted line from the inbox (``"replayed": true``) and processes only the rest, which
is how a client resumes after a dropped connection. Rejected lines store nothing: they are
checked again.

The results are written to a temporary file while the body is read and streamed back once the
body has ended. Streaming them *while* reading would deadlock with ordinary half-duplex HTTP
clients (curl, httpx, requests send the whole body before reading): once the socket buffers
filled up, both sides would wait on each other. Disk holds the results, not memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from adapters.brussels.mapping import ROUTE_NOT_BRUSSELS
from gateway.auth import Principal
from gateway.delivery.inbox import InboxConflict
from gateway.errors import BrugValidationError, Violation
from gateway.report import facts
from gateway.service.context import GatewayContext
from gateway.service.rest import idempotency, problems
from gateway.service.rest.errors import ApiError
from gateway.service.rest.openapi_examples import BULK_EXAMPLE
from gateway.service.rest.resources import OdbCourse, VovRegistration, canonical
from gateway.service.rest.responses import problem_responses
from gateway.service.rest.routes_registrations import request_correlation_id
from gateway.service.rest.schemas import (
    BulkLineResult,
    BulkStop,
    BulkSummary,
    BulkSummaryLine,
    dump,
)
from gateway.service.rest.security import ScopeGuards
from gateway.service.rest.submission import (
    Commit,
    CourseCache,
    Prepared,
    Submissions,
    commit_many,
)
from gateway.validation import parse_model

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

MEDIA_TYPE = "application/x-ndjson"
ACCEPTED_MEDIA_TYPES = frozenset({MEDIA_TYPE, "application/jsonl", "application/x-jsonlines"})
MAX_LINE_BYTES = 256 * 1024
BATCH_SIZE = 500
_READ_CHUNK = 64 * 1024

Line = tuple[int, bytes | None]  # (line number, content; None when over MAX_LINE_BYTES)


async def read_lines(chunks: AsyncIterator[bytes], max_line: int) -> AsyncIterator[Line]:
    """Physical lines of a byte stream, numbered from 1, without their ``\\n`` / ``\\r\\n``.

    A line longer than ``max_line`` is yielded as ``None`` and its bytes are dropped as they
    arrive: one endless line must not fill the memory the limit protects.
    """
    buffer = bytearray()
    number = 0
    too_long = False
    async for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                if not too_long:
                    buffer += chunk[start:]
                    if len(buffer) > max_line:
                        too_long = True
                        buffer.clear()
                break
            number += 1
            if not too_long:
                buffer += chunk[start:end]
            yield number, None if too_long or len(buffer) > max_line else _line(buffer)
            buffer.clear()
            too_long = False
            start = end + 1
    if buffer or too_long:
        yield number + 1, None if too_long else _line(buffer)


def _line(buffer: bytearray) -> bytes:
    return bytes(buffer[:-1] if buffer.endswith(b"\r") else buffer)


@dataclass(slots=True)
class PreparedBatch:
    """A batch between :meth:`BulkProcessor.prepare` and :meth:`BulkProcessor.finish`."""

    wanted: list[Line]
    results: dict[int, bytes]
    pending: list[_Pending]
    #: evaluation facts of the refused lines (gateway.report.facts), written with the batch
    refusals: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Counts:
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    not_for_brussels: int = 0
    replayed: int = 0
    # One batch is prepared while the previous one commits (two threads): counts under a lock.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def summary(self, stopped: tuple[str, str, int] | None = None) -> bytes:
        model = BulkSummary(
            lines=self.lines,
            accepted=self.accepted,
            rejected=self.rejected,
            not_for_brussels=self.not_for_brussels,
            replayed=self.replayed,
            stopped=None
            if stopped is None
            else BulkStop(rule=stopped[0], detail=stopped[1], after_line=stopped[2]),
        )
        return json.dumps({"summary": dump(model)}, separators=(",", ":")).encode()


def _result(
    number: int,
    registration_id: str | None,
    status: str,
    *,
    message_id: str | None = None,
    issues: list[dict[str, Any]] | None = None,
) -> bytes:
    out: dict[str, Any] = {"line": number}
    if registration_id is not None:
        out["registrationId"] = registration_id
    out["status"] = status
    if message_id is not None:
        out["messageId"] = message_id
    if issues is not None:
        out["issues"] = issues
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode()


class _AsSent(BrugValidationError):
    """Violations whose paths already name the line's properties as the client sent them
    (checks of the REST models, unknown keys): not renamed."""


def _issues(error: BrugValidationError) -> list[dict[str, Any]]:
    """The line's broken rules as Belgif issues, ``name`` a path into the registration: the
    REST models' paths as they are, the canonical code's (mapping, catalogue) renamed and
    without the mapping's ``registration.`` prefix."""
    violations = [replace(v, path=v.path.removeprefix("registration.")) for v in error.violations]
    return problems.issues_of(violations, rename=not isinstance(error, _AsSent))


def _one(path: str, rule: str, message: str) -> BrugValidationError:
    return _AsSent([Violation(path, rule, message)], context="bulk line")


def _parse(model: type[M], data: Any, context: str | None = None) -> M:
    try:
        return canonical(parse_model(model, data, context=context))
    except BrugValidationError as exc:
        raise _AsSent(exc.violations, context=exc.context) from None


@dataclass(slots=True)
class _Read:
    """One line as the first pass of :meth:`BulkProcessor.prepare` read it."""

    number: int
    key: str = ""
    digest: str = ""
    registration_id: str | None = None
    data: Any = None
    registration: VovRegistration | None = None
    course: OdbCourse | None = None


@dataclass(slots=True)
class _Pending:
    number: int
    key: str
    digest: str
    prepared: Prepared
    answer: bytes


@dataclass(slots=True)
class BulkProcessor:
    """Turns batches of lines into result lines written to ``sink``; one per call."""

    submissions: Submissions
    client_id: str
    key: str
    correlation_id: str
    sink: IO[bytes]
    counts: Counts = field(default_factory=Counts)
    #: (rule, detail, last line processed) once the request's budget stopped processing
    stopped: tuple[str, str, int] | None = None

    @property
    def _partner(self) -> str:
        return idempotency.client_partner(self.client_id)

    def line_key(self, number: int) -> str:
        return f"bulk:{self.key}#{number}"

    def prepare(self, batch: list[Line]) -> PreparedBatch:
        """Everything that can fail on the input or is CPU-bound; nothing is stored yet.

        Two passes: every line is read and validated first, so that the catalogue courses the
        batch names are read in one query, then each registration is mapped.
        """
        context = self.submissions.context
        results: dict[int, bytes] = {}
        wanted = [(n, raw) for n, raw in batch if raw is None or raw.strip()]
        self.counts.add(lines=len(wanted))
        keyed = {self.line_key(n): n for n, raw in wanted if raw is not None}
        seen = idempotency.lookup(context.store, self._partner, keyed)
        pending: list[_Pending] = []
        refusals: list[dict[str, Any]] = []

        def refuse(number: int, line: _Read | None, exc: BrugValidationError) -> None:
            registration_id = line.registration_id if line is not None else None
            results[number] = self._refused(number, registration_id, exc)
            if not _is_replay_conflict(exc):
                refusals.append(
                    facts.refused(
                        line.registration if line is not None else None,
                        exc.violations,
                        channel="bulk",
                        now=context.store.clock(),
                        raw=line.data if line is not None else None,
                    )
                )

        read: list[_Read] = []
        for number, raw in wanted:
            line = _Read(number)
            try:
                if raw is None:
                    raise _one("/", "bulk.line-too-long", f"a line may hold {MAX_LINE_BYTES} bytes")
                line.key = self.line_key(number)
                line.digest = idempotency.body_digest(raw)
                earlier = seen.get(line.key)
                if earlier is not None:
                    if earlier.digest != line.digest:
                        raise _one(
                            "header.Idempotency-Key",
                            "idempotency.key-reused",
                            f"line {number} differs from the line first sent with this key",
                        )
                    if earlier.answer is not None:
                        results[number] = self._replayed(earlier.answer)
                        continue
                line.data, course_data, line.registration_id = _split(raw)
                line.registration = _parse(VovRegistration, line.data)
                if course_data is not None:
                    line.course = _parse(OdbCourse, course_data, context="course")
            except BrugValidationError as exc:
                refuse(number, line, exc)
                continue
            read.append(line)
        courses: CourseCache = context.records.get_courses(
            line.registration.odb_number
            for line in read
            if line.course is None and line.registration is not None
        )
        for line in read:
            assert line.registration is not None  # set for every line read without error
            try:
                course = self.submissions.course_for(line.registration, line.course, courses)
                prepared = self.submissions.prepare(line.registration, course, self.correlation_id)
            except BrugValidationError as exc:
                refuse(line.number, line, exc)
                continue
            answer = _result(
                line.number,
                prepared.registration.registration_id,
                "accepted",
                message_id=prepared.message_id,
            )
            pending.append(_Pending(line.number, line.key, line.digest, prepared, answer))
        return PreparedBatch(wanted, results, pending, refusals)

    def finish(self, batch: PreparedBatch) -> None:
        """Commit a prepared batch and write its result lines, in input order."""
        results = batch.results
        if batch.pending:
            results.update(self._commit(batch.pending, batch.refusals))
        elif batch.refusals:
            self._count_refusals(batch.refusals)
        for number, _raw in batch.wanted:
            self.sink.write(results[number] + b"\n")

    def _count_refusals(self, refusals: list[dict[str, Any]]) -> None:
        """A batch with only refused lines: their evaluation facts in a unit of work of their
        own; a store that cannot take them loses the figures, not the answers."""
        try:
            with self.submissions.context.store.begin() as connection:
                facts.insert(connection, refusals)
        except SQLAlchemyError as exc:
            log.warning("refusals not counted for the evaluation report: %s", type(exc).__name__)

    def _commit(self, pending: list[_Pending], refusals: list[dict[str, Any]]) -> dict[int, bytes]:
        context = self.submissions.context
        out: dict[int, bytes] = {}
        try:
            with context.store.transaction() as tx:
                earlier = commit_many(
                    context,
                    tx,
                    [Commit(i.prepared, i.key, i.digest, i.answer) for i in pending],
                    inbox_partner=self._partner,
                    origin=self.client_id,
                    refusals=refusals,
                )
            for item, first in zip(pending, earlier, strict=True):
                out[item.number] = item.answer if first is None else first
        except (SQLAlchemyError, InboxConflict) as exc:
            # Nothing of this batch was stored: say so per line; resending them is safe.
            log.error("bulk batch not stored: %s", type(exc).__name__)
            error = _one("/", "bulk.not-stored", "the gateway could not store this line; resend it")
            for item in pending:
                out[item.number] = self._refused(
                    item.number, item.prepared.registration.registration_id, error
                )
            return out
        for item in pending:
            if out[item.number] is item.answer:
                self.counts.add(accepted=1)
            else:
                out[item.number] = self._replayed(out[item.number])
        context.metrics.messages_total.labels(
            self.client_id, "SubmitVovRegistrationBulk", "accepted"
        ).inc(len(pending))
        return out

    def _replayed(self, answer: bytes) -> bytes:
        self.counts.add(accepted=1, replayed=1)
        data = json.loads(answer)
        data["replayed"] = True
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    def _refused(
        self, number: int, registration_id: str | None, error: BrugValidationError
    ) -> bytes:
        if {v.rule for v in error.violations} == {ROUTE_NOT_BRUSSELS}:
            self.counts.add(not_for_brussels=1)
            status = "not-for-brussels"
        else:
            self.counts.add(rejected=1)
            status = "rejected"
        return _result(number, registration_id, status, issues=_issues(error))


def _is_replay_conflict(error: BrugValidationError) -> bool:
    """A line that differs from the one first sent under its key is a client's bookkeeping
    error, not a registration decided: not counted."""
    return any(v.rule == "idempotency.key-reused" for v in error.violations)


def _split(raw: bytes) -> tuple[Any, Any, str | None]:
    """(registration data, course data or None, registration id if readable) of one line."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _one("/", "json.well-formed", str(exc)[:200]) from None
    except RecursionError:
        raise _one("/", "json.depth", "the line nests arrays or objects too deeply") from None
    if not isinstance(data, dict):
        raise _one("/", "bulk.line-object", "each line must be a JSON object")
    if "registration" in data:
        extra = sorted(set(data) - {"registration", "course"})
        if extra:
            raise _one(
                extra[0], "type.extra_forbidden", "a wrapped line has only registration and course"
            )
        registration, course = data["registration"], data.get("course")
    else:
        registration = dict(data)
        course = registration.pop("course", None)
    rid = registration.get("registrationId") if isinstance(registration, dict) else None
    return registration, course, rid if isinstance(rid, str) and len(rid) <= 64 else None


def _stream_file(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_READ_CHUNK):
            yield chunk
    finally:
        handle.close()


@dataclass(frozen=True, slots=True)
class Budget:
    """What one bulk request may cost: lines, rejected lines and wall-clock time.

    A school year of registrations is far below these; a file of tiny invalid lines is not (a
    20 MB body of 3-byte lines kept the server busy for 560 s and answered ~300× its size).
    Past a limit the rest of the body is read and dropped (half-duplex clients must be able to
    finish sending to read the answer), at most for ``drain_seconds``, and the summary says
    where and why processing stopped. Resending the file with the same Idempotency-Key answers
    the accepted lines from the inbox and processes the rest.
    """

    max_lines: int = 1_000_000
    max_rejected: int = 10_000
    max_seconds: float = 3600.0
    drain_seconds: float = 60.0


#: The budget of every bulk request (docs/security.md).
BUDGET = Budget()


async def process_stream(
    processor: BulkProcessor, lines: AsyncIterator[Line], budget: Budget | None = None
) -> None:
    """Feed ``lines`` through ``processor`` in batches of :data:`BATCH_SIZE`, pipelined.

    Batch N commits (mostly waiting on the database, GIL released) while batch N+1 is prepared
    (CPU): at most two batches in memory, result lines still written in input order (batch N
    finishes before N+1 starts finishing). A failure of either step ends the request, after the
    batch in hand has finished. Past the ``budget``, processing stops (``processor.stopped``).
    """
    budget = budget or Budget()
    started = time.monotonic()
    committing: asyncio.Future[None] | None = None

    def exceeded() -> tuple[str, str] | None:
        counts = processor.counts
        if counts.lines >= budget.max_lines:
            return "bulk.max-lines", f"a bulk request holds at most {budget.max_lines} lines"
        if counts.rejected >= budget.max_rejected:
            return (
                "bulk.max-rejected",
                f"{counts.rejected} lines rejected: fix the file before sending the rest",
            )
        if time.monotonic() - started > budget.max_seconds:
            return "bulk.max-seconds", f"a bulk request may take {budget.max_seconds:.0f} s"
        return None

    async def hand_over(batch: list[Line]) -> None:
        nonlocal committing
        prepared = await run_in_threadpool(processor.prepare, batch)
        if committing is not None:
            await committing
        committing = asyncio.ensure_future(run_in_threadpool(processor.finish, prepared))

    try:
        batch: list[Line] = []
        async for line in lines:
            batch.append(line)
            if len(batch) >= min(BATCH_SIZE, budget.max_lines):
                await hand_over(batch)  # its lines and rejections are counted once prepared
                batch = []
                stop = exceeded()
                if stop is not None:
                    processor.stopped = (*stop, line[0])
                    break
        else:
            if batch:
                await hand_over(batch)
    finally:
        if committing is not None:
            await asyncio.wait([committing])
    if committing is not None:
        committing.result()  # raise what the last batch raised
    if processor.stopped is not None:
        deadline = time.monotonic() + budget.drain_seconds
        async for _line in lines:  # let the client finish sending; nothing is processed
            if time.monotonic() > deadline:
                break


def _check_media_type(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the bulk file as {MEDIA_TYPE} (one registration JSON object per line)",
            expected=MEDIA_TYPE,
        )


#: Each line of the answer: a line's result, or the closing summary.
_LINE_SCHEMA = TypeAdapter(BulkLineResult | BulkSummaryLine).json_schema()
_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "One JSON object per line: a VOV registration (optionally with `course`), "
    'or {"registration": {...}, "course": {...}}. Blank lines are skipped; a line holds at '
    f"most {MAX_LINE_BYTES} bytes.",
    "content": {
        MEDIA_TYPE: {
            "schema": {"type": "string"},
            "examples": {
                "two-lines": {
                    "summary": "A Brussels and a Flemish registration",
                    "value": BULK_EXAMPLE,
                }
            },
        }
    },
}


def bulk_router(
    context: GatewayContext, guards: ScopeGuards, submissions: Submissions
) -> APIRouter:
    router = APIRouter(tags=["vov-registrations"])
    writer = Depends(guards.any_of("vov:write"))

    @router.post(
        "/vov-registrations/bulk",
        operation_id="submitVovRegistrationBulk",
        summary="Submit an NDJSON file of VOV registrations (streamed)",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "NDJSON: one result line per non-blank input line, in order, "
                'then {"summary": {...}}; the schema is the schema of each line',
                "content": {
                    MEDIA_TYPE: {
                        "schema": _LINE_SCHEMA,
                        "example": (
                            '{"line":1,"registrationId":"VOV-2025-000101","status":"accepted",'
                            '"messageId":"0f8fad5b-d9cb-469f-a165-70867728950e"}\n'
                            '{"line":2,"registrationId":"VOV-2025-000102","status":"not-for-brussels",'
                            '"issues":[{"type":"urn:problem-type:brug:input-validation:'
                            'route.not-brussels","href":"docs/problems.md#route.not-brussels",'
                            '"title":"Not a Brussels establishment unit: the record stays in VOV",'
                            '"detail":"only a Brussels establishment unit yields a BEV record; '
                            'a record belongs to one scheme at a time","in":"body",'
                            '"name":"establishmentUnit.region",'
                            '"value":"flanders"}]}\n'
                            '{"summary":{"lines":2,"accepted":1,"rejected":0,"notForBrussels":1,'
                            '"replayed":0}}\n'
                        ),
                    }
                },
            },
            **problem_responses(409, 415, 422),
        },
        openapi_extra={"parameters": [idempotency.PARAMETER], "requestBody": _REQUEST_BODY},
    )
    async def submit_bulk(
        request: Request,
        *,
        principal: Principal = writer,
        key: Annotated[str, Depends(idempotency.idempotency_key)],
    ) -> StreamingResponse:
        """Process every line like ``POST /v1/vov-registrations`` and answer per line.

        Lines are processed in batches of 500, each batch committed on its own: accepted lines
        are queued even if a later line fails. Needs scope ``vov:write``.
        """
        _check_media_type(request)
        sink: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        processor = BulkProcessor(
            submissions, principal.client_id, key, request_correlation_id(request), sink
        )
        try:
            await process_stream(processor, read_lines(request.stream(), MAX_LINE_BYTES), BUDGET)
            sink.write(processor.counts.summary(processor.stopped) + b"\n")
            sink.seek(0)
        except BaseException:
            sink.close()
            raise
        counts = processor.counts
        log.info(
            "bulk from %s: %d lines, %d accepted, %d rejected, %d not for Brussels",
            principal.client_id,
            counts.lines,
            counts.accepted,
            counts.rejected,
            counts.not_for_brussels,
        )
        return StreamingResponse(
            _stream_file(sink), media_type=MEDIA_TYPE, background=BackgroundTask(sink.close)
        )

    return router


__all__ = ["BulkProcessor", "bulk_router", "process_stream", "read_lines"]
