"""Read the records the CLI and the demo take as files: JSON or XML, detected from the content.

A file is bad input like any other: unreadable, too large, malformed, schema-invalid or with a
broken identifier, it raises one :class:`BrugValidationError` listing every violation. XML goes
through the hardened parser and the XSD of its schema before the model checks; JSON goes
straight to the canonical model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree
from pydantic import BaseModel

from adapters.brussels import xml as bev_xml
from adapters.federal import xml as federal_xml
from adapters.flanders import xml as flanders_xml
from gateway.errors import BrugValidationError, Violation
from gateway.models import (
    BevRecord,
    CareerBreakMutation,
    CareerBreakQuery,
    CareerBreakResponse,
    OdbCourse,
    VovRegistration,
)
from gateway.validation import parse_model, parse_model_json
from gateway.xml import schemas
from gateway.xml.safe_parser import DEFAULT_MAX_BYTES, parse_xml

M = TypeVar("M", bound=BaseModel)


#: How the error header names a record: "error: invalid VOV registration (file.json)".
RECORD_NAMES: dict[type[BaseModel], str] = {
    VovRegistration: "VOV registration",
    OdbCourse: "ODB course",
    BevRecord: "BEV record",
    CareerBreakResponse: "career-break answer",
    CareerBreakQuery: "career-break query",
    CareerBreakMutation: "career-break mutation",
}


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, or a violation naming the file (missing, unreadable, too large)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BrugValidationError(
                [Violation(str(path), "file.size", f"{size} bytes, limit is {max_bytes}")],
                context=f"input file ({path.name})",
            )
        return path.read_bytes()
    except OSError as exc:
        raise BrugValidationError(
            [Violation(str(path), "file.unreadable", exc.strerror or str(exc))],
            context=f"input file ({path.name})",
        ) from None


def is_xml(raw: bytes) -> bool:
    """XML starts with '<' (after a BOM and white space); anything else is taken as JSON."""
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _read(path: Path, model: type[M], from_xml: Callable[[bytes], M]) -> M:
    raw = read_bytes(path)
    if is_xml(raw):
        try:
            return from_xml(raw)
        except BrugValidationError as exc:
            raise BrugValidationError(exc.violations, context=_context(model, path)) from None
    return parse_model_json(model, raw, context=_context(model, path))


def _context(model: type[BaseModel], path: Path) -> str:
    return f"{RECORD_NAMES.get(model, model.__name__)} ({path.name})"


def read_vov(path: Path) -> VovRegistration:
    return _read(path, VovRegistration, lambda b: flanders_xml.registration_from_xml(b).body)


def read_course(path: Path) -> OdbCourse:
    return _read(path, OdbCourse, lambda b: flanders_xml.course_from_xml(b).body)


def read_bev(path: Path) -> BevRecord:
    return _read(path, BevRecord, lambda b: bev_xml.from_xml(b).body)


def read_career_breaks(path: Path) -> CareerBreakResponse:
    return _read(path, CareerBreakResponse, lambda b: federal_xml.response_from_xml(b).body)


#: Full readers (XSD + model checks) per (schema, root element); other roots get the XSD only.
_READERS: dict[tuple[str, str], Callable[[etree._Element], Any]] = {
    ("vov-registration-v1", "vovRegistrationMessage"): flanders_xml.registration_from_xml,
    ("vov-registration-v1", "vovRegistrationBulk"): flanders_xml.registrations_from_xml,
    ("odb-course-v1", "odbCourseMessage"): flanders_xml.course_from_xml,
    ("bev-record-v1", "messageCongeEducation"): bev_xml.from_xml,
    ("bev-record-v2", "messageCongeEducation"): bev_xml.from_xml,
    ("career-break-v1", "GeefLoopbaanonderbrekingenVraag"): federal_xml.query_from_xml,
    ("career-break-v1", "GeefLoopbaanonderbrekingenAntwoord"): federal_xml.response_from_xml,
    ("career-break-v1", "LoopbaanonderbrekingMutaties"): federal_xml.mutations_from_xml,
}


def _career_break_model(data: Any) -> type[BaseModel]:
    """The career-break schema has three messages; their JSON forms differ in shape."""
    if isinstance(data, list):
        return CareerBreakMutation
    if isinstance(data, dict) and "sources" in data and "records" not in data:
        return CareerBreakQuery
    return CareerBreakResponse


#: The canonical model a JSON document of each schema is (what the REST API takes).
_JSON_MODELS: dict[str, Callable[[Any], type[BaseModel]]] = {
    "vov-registration-v1": lambda _: VovRegistration,
    "odb-course-v1": lambda _: OdbCourse,
    "bev-record-v1": lambda _: BevRecord,
    "bev-record-v2": lambda _: BevRecord,
    "career-break-v1": _career_break_model,
}


def _validate_json(schema: str, path: Path, raw: bytes) -> str:
    chooser = _JSON_MODELS.get(schema)
    if chooser is None:
        raise BrugValidationError(
            [
                Violation(
                    str(path),
                    "json.no-model",
                    f"{schema} is validated as XML only; JSON is read for "
                    f"{', '.join(sorted(_JSON_MODELS))}",
                )
            ],
            context=f"{schema} document ({path.name})",
        )
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BrugValidationError(
            [Violation(str(path), "json.well-formed", f"neither XML nor JSON: {exc}")],
            context=f"{schema} document ({path.name})",
        ) from None
    model = chooser(data)
    name = RECORD_NAMES.get(model, model.__name__)
    if model is CareerBreakMutation:
        for index, item in enumerate(data):
            parse_model(model, item, context=f"{name} [{index}] ({path.name})")
        return f"JSON, {len(data)} {name}s"
    parse_model(model, data, context=f"{name} ({path.name})")
    return f"JSON {name}"


def validate_file(schema: str, path: Path) -> str:
    """Check ``path`` against ``schema`` and, where brug reads that message, the model rules.

    XML: the XSD, then the model rules where brug reads that root element. JSON: the canonical
    model of the schema's record (the checks the REST API applies). Returns what was checked
    (``<root>`` or ``JSON <record>``). Raises BrugValidationError (an unknown schema name
    included) with every violation.
    """
    names = {info.name for info in schemas.list_schemas()}
    if schema not in names:
        raise BrugValidationError(
            [Violation("schema", "schema.unknown", f"known: {', '.join(sorted(names))}", schema)],
            context="command line",
        )
    raw = read_bytes(path)
    if not is_xml(raw):
        return _validate_json(schema, path, raw)
    try:
        root = parse_xml(raw)
        schemas.validate(schema, root)
        local = etree.QName(root).localname
        reader = _READERS.get((schema, local))
        if reader is not None:
            reader(root)
    except BrugValidationError as exc:
        context = f"{schema} document ({path.name})"
        raise BrugValidationError(exc.violations, context=context) from None
    return f"<{local}>"
