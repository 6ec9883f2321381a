"""``/v1/odb-courses``: the ODB course catalogue the gateway maps registrations with.

Flemish backends keep brug's copy of the catalogue current (``PUT``, idempotent by nature and
still keyed, so a retried replacement is answered, not re-applied over a newer one); a
registration then only needs to carry its ODB number.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from gateway.auth import Principal
from gateway.models.odb import ODB_NUMBER_PATTERN
from gateway.service.context import GatewayContext
from gateway.service.rest import idempotency
from gateway.service.rest.errors import invalid, not_found
from gateway.service.rest.links import href
from gateway.service.rest.openapi_examples import course_examples
from gateway.service.rest.resources import OdbCourse, canonical, record_json
from gateway.service.rest.responses import problem_responses
from gateway.service.rest.schemas import CourseStored, OdbCourseResource
from gateway.service.rest.security import ScopeGuards

OdbNumber = Path(
    alias="odbNumber",
    pattern=ODB_NUMBER_PATTERN,
    description="ODB number, e.g. CE-100234 (a module: CE-100234/M1)",
    examples=["CE-100234"],
)
LOCATION = {"description": "the URI of the stored course", "schema": {"type": "string"}}


def courses_router(context: GatewayContext, guards: ScopeGuards) -> APIRouter:
    router = APIRouter(tags=["odb-courses"])
    writer = Depends(guards.any_of("odb:write", "vov:write"))
    reader = Depends(guards.any_of("odb:read"))

    def store(
        principal: Principal, key: str, digest: str, course: OdbCourse, link: str
    ) -> Response:
        partner = idempotency.client_partner(principal.client_id)
        first = idempotency.check_seen(
            idempotency.lookup(context.store, partner, [key]).get(key), key, digest
        )
        if first is not None:
            return idempotency.replay(first)
        with context.store.transaction() as tx:
            decision = context.inbox.begin(partner, key, digest, tx=tx)
            if not decision.is_new and decision.answer is not None:
                return idempotency.replay(decision.answer)
            created = context.records.put_course(
                canonical(course), updated_by=principal.client_id, tx=tx
            )
            status = 201 if created else 200
            stored = CourseStored.model_validate(
                {"created": created, "course": course, "self": link}
            )
            body = stored.model_dump_json(by_alias=True, exclude_none=True).encode()
            context.inbox.complete(partner, key, idempotency.encode_answer(status, body), tx=tx)
        headers = {"Location": link} if created else None
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    @router.put(
        "/odb-courses/{odbNumber:path}",
        status_code=200,
        response_model=CourseStored,
        operation_id="putOdbCourse",
        summary="Store or replace an ODB course",
        responses={
            201: {
                "model": CourseStored,
                "description": "stored (new course); `Location` is the course's URI",
                "headers": {"Location": LOCATION},
            },
            **problem_responses(409, 413, 422),
        },
        openapi_extra={"parameters": [idempotency.PARAMETER]},
    )
    async def put_course(
        request: Request,
        odb_number: Annotated[str, OdbNumber],
        *,
        principal: Principal = writer,
        key: Annotated[str, Depends(idempotency.idempotency_key)],
        course: Annotated[OdbCourse, Body(openapi_examples=course_examples())],
    ) -> Response:
        """Store the course under its number (201 when new, 200 when it replaced one).

        The number in the path and in the body must be the same (400 ``path.mismatch``).
        Needs scope ``odb:write`` or ``vov:write``.
        """
        if course.odb_number != odb_number:
            raise invalid(
                "odbNumber",
                "path.mismatch",
                f"the body is course {course.odb_number}, the path says {odb_number}",
                course.odb_number,
                context="OdbCourse",
            )
        digest = idempotency.body_digest(await request.body())
        link = href(request, f"/v1/odb-courses/{odb_number}")
        return await run_in_threadpool(store, principal, key, digest, course, link)

    @router.get(
        "/odb-courses/{odbNumber:path}",
        response_model=OdbCourseResource,
        operation_id="getOdbCourse",
        summary="Read an ODB course",
        responses=problem_responses(404, descriptions={404: "not in the catalogue"}),
    )
    async def get_course(
        request: Request, odb_number: Annotated[str, OdbNumber], *, principal: Principal = reader
    ) -> JSONResponse:
        """The catalogue entry (for a module number, its course). Needs ``odb:read``."""
        found = await run_in_threadpool(context.records.get_course, odb_number)
        if found is None:
            raise not_found("odb-course", f"course {odb_number} is not in the catalogue")
        body = {**record_json(found), "self": href(request, f"/v1/odb-courses/{odb_number}")}
        return JSONResponse(body)

    return router
