"""Request examples for the OpenAPI document, read from the repository's ``examples/`` files.

The same files are used by the CLI docs and the tests, so an example in Swagger UI is a record
that is known to validate (or, for the invalid ones, known to fail the way the example says).
The files hold canonical records (Python names); the examples show them with the REST API's
names (:func:`gateway.service.rest.resources.rest_json`).
Installed without the repository (a wheel), the files are absent and the document simply has no
examples: a missing example must never stop the service.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from gateway.service.rest.resources import rest_json

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"


@lru_cache(maxsize=32)
def _load(name: str) -> Any:
    try:
        return rest_json(json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _examples(*entries: tuple[str, str, Any]) -> dict[str, dict[str, Any]]:
    """``openapi_examples`` for FastAPI's ``Body``: (key, summary, value), absent ones dropped."""
    return {key: {"summary": summary, "value": value} for key, summary, value in entries if value}


def _with(base: Any, **changes: Any) -> Any:
    if not isinstance(base, dict):
        return None
    return {**base, **changes}


def registration_examples() -> dict[str, dict[str, Any]]:
    brussels = _load("vov-registration-brussels.json")
    return _examples(
        ("brussels", "Brussels establishment unit: mapped to BEV, 202", brussels),
        (
            "with-course",
            "With the ODB course embedded (no catalogue look-up)",
            _with(brussels, course=_load("odb-course.json")),
        ),
        (
            "mover",
            "A worker who used hours in Flanders earlier this school year",
            _load("vov-registration-mover.json"),
        ),
        (
            "flemish-unit",
            "Flemish establishment unit: 400 route.not-brussels (stays in VOV)",
            _load("vov-registration-flanders.json"),
        ),
        ("bad-insz", "Wrong INSZ check digits: 400 insz.checksum", _load("invalid/bad-insz.json")),
    )


def course_examples() -> dict[str, dict[str, Any]]:
    return _examples(
        ("professional", "A professional course (bottleneck occupation)", _load("odb-course.json")),
        ("vok", "A VOK-eligible course", _load("odb-course-vok.json")),
    )


def vok_check_examples() -> dict[str, dict[str, Any]]:
    query = _load("career-break-query.json")
    course = _load("odb-course-vok.json")
    value = None
    if isinstance(query, dict) and isinstance(course, dict):
        value = {
            "ssin": query.get("ssin"),
            "odbNumber": course.get("odbNumber"),
            "period": {"startDate": "2025-09-01", "endDate": "2026-02-28"},
            "educationLevel": "medium",
            "livesAlone": False,
            "contractMonths": 24,
        }
    return _examples(("catalogue-course", "A worker and a course from the catalogue", value))


def proactive_examples() -> dict[str, dict[str, Any]]:
    course = _load("odb-course-vok.json")
    number = course.get("odbNumber") if isinstance(course, dict) else None
    out: dict[str, dict[str, Any]] = {
        "to-contact": {"summary": "Every worker with training time credit", "value": {}}
    }
    if number:
        out["with-course"] = {
            "summary": "Check each candidate against a catalogue course",
            "value": {"odbNumber": number},
        }
    return out


BULK_EXAMPLE = "\n".join(
    json.dumps(line, separators=(",", ":"))
    for line in (
        _load("vov-registration-brussels.json"),
        {
            "registration": _load("vov-registration-flanders.json"),
            "course": _load("odb-course.json"),
        },
    )
    if line
)
