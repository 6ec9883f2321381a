"""Read the records the CLI and the demo take as files: JSON or XML, detected from the content.

A file is bad input like any other: unreadable, too large, malformed, schema-invalid or with a
broken identifier, it raises one :class:`BrugValidationError` listing every violation. XML goes
through the hardened parser and the XSD of its schema before the model checks; JSON goes
straight to the canonical model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree
from pydantic import BaseModel

from adapters.brussels import xml as bev_xml
from adapters.federal import xml as federal_xml
from adapters.flanders import xml as flanders_xml
from gateway.errors import BrugValidationError, Violation
from gateway.models import BevRecord, CareerBreakResponse, OdbCourse, VovRegistration
from gateway.validation import parse_model_json
from gateway.xml import schemas
from gateway.xml.safe_parser import DEFAULT_MAX_BYTES, parse_xml

M = TypeVar("M", bound=BaseModel)


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, or a violation naming the file (missing, unreadable, too large)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BrugValidationError(
                [Violation(str(path), "file.size", f"{size} bytes, limit is {max_bytes}")],
                context="input file",
            )
        return path.read_bytes()
    except OSError as exc:
        raise BrugValidationError(
            [Violation(str(path), "file.unreadable", exc.strerror or str(exc))],
            context="input file",
        ) from None


def is_xml(raw: bytes) -> bool:
    """XML starts with '<' (after a BOM and white space); anything else is taken as JSON."""
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _read(path: Path, model: type[M], from_xml: Callable[[bytes], M]) -> M:
    raw = read_bytes(path)
    if is_xml(raw):
        return from_xml(raw)
    return parse_model_json(model, raw, context=f"{model.__name__} ({path.name})")


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


def validate_file(schema: str, path: Path) -> str:
    """Check ``path`` against ``schema`` and, where brug reads that message, the model rules.

    Returns the root element's local name. Raises BrugValidationError (an unknown schema name
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
        raise BrugValidationError(
            [Violation(str(path), "xml.well-formed", "not an XML document")], context=path.name
        )
    root = parse_xml(raw)
    schemas.validate(schema, root)
    local = etree.QName(root).localname
    reader = _READERS.get((schema, local))
    if reader is not None:
        reader(root)
    return local
