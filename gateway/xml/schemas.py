"""Schema registry: which XSDs brug knows, loading them offline, validating, detecting.

Why a registry instead of ``etree.XMLSchema(file)`` at each call site:

* one catalog (``schemas/catalog.toml``) names every schema, its namespace and its root
  elements, so the CLI, the SOAP layer and the compatibility checks agree on what "bev-record-v2"
  is, and :func:`detect` can route an incoming document by its root namespace;
* schemas are compiled once (compiling the gateway service schema takes milliseconds, validating
  a record microseconds) with a parser that has no network access and a resolver that only serves
  files under ``schemas/``: an ``xs:import`` of an http URL or of ``../../etc/passwd`` fails
  instead of leaking a request or a file;
* :func:`validate` reports EVERY XSD error as a :class:`~gateway.errors.Violation` (not only the
  first), with INSZ values masked, in the one error type every edge already handles.

The schemas directory is the source tree's ``schemas/`` or, in an installed wheel, the copy
bundled at ``gateway/_bundled/schemas`` (pyproject force-includes it there).
"""

from __future__ import annotations

import queue
import re
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.identifiers.insz import mask_insz
from gateway.observability.redaction import redact_insz
from gateway.xml.safe_parser import parse_xml

CATALOG_FILE = "catalog.toml"

#: Element local names whose values are personal data: masked in violations.
SENSITIVE_ELEMENTS = frozenset({"insz", "niss", "INSZ"})


class SchemaLoadError(RuntimeError):
    """A schema could not be found or compiled: a packaging or programming error, not bad input."""


@dataclass(frozen=True, slots=True)
class SchemaInfo:
    """One catalog entry."""

    name: str
    file: str
    namespace: str
    roots: tuple[str, ...]
    description: str
    path: Path


@dataclass(frozen=True, slots=True)
class WsdlInfo:
    name: str
    file: str
    description: str
    path: Path


def _candidate_dirs() -> tuple[Path, ...]:
    here = Path(__file__).resolve()
    return (here.parents[2] / "schemas", here.parents[1] / "_bundled" / "schemas")


@cache
def schemas_dir() -> Path:
    """The directory holding ``catalog.toml``: source tree first, then the wheel's bundled copy."""
    for candidate in _candidate_dirs():
        if (candidate / CATALOG_FILE).is_file():
            return candidate
    searched = ", ".join(str(c) for c in _candidate_dirs())
    raise SchemaLoadError(f"no {CATALOG_FILE} found (searched {searched})")


@cache
def _catalog_data() -> dict[str, object]:
    with (schemas_dir() / CATALOG_FILE).open("rb") as handle:
        return tomllib.load(handle)


@cache
def catalog() -> Mapping[str, SchemaInfo]:
    """Every schema in the catalog, by name."""
    base = schemas_dir()
    raw = _catalog_data().get("schemas", {})
    assert isinstance(raw, dict)
    out: dict[str, SchemaInfo] = {}
    for name, entry in raw.items():
        out[name] = SchemaInfo(
            name=name,
            file=entry["file"],
            namespace=entry["namespace"],
            roots=tuple(entry.get("roots", ())),
            description=entry.get("description", ""),
            path=base / entry["file"],
        )
    return out


@cache
def wsdls() -> Mapping[str, WsdlInfo]:
    """Every WSDL in the catalog, by name."""
    base = schemas_dir()
    raw = _catalog_data().get("wsdls", {})
    assert isinstance(raw, dict)
    return {
        name: WsdlInfo(name, entry["file"], entry.get("description", ""), base / entry["file"])
        for name, entry in raw.items()
    }


def list_schemas() -> tuple[SchemaInfo, ...]:
    """All catalog entries, sorted by name."""
    return tuple(sorted(catalog().values(), key=lambda info: info.name))


def info(name: str) -> SchemaInfo:
    try:
        return catalog()[name]
    except KeyError:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(sorted(catalog()))}") from None


def wsdl_path(name: str) -> Path:
    """Path of a catalogued WSDL (load it with ``zeep.Client(str(path))``)."""
    return wsdls()[name].path


class _LocalSchemasOnly(etree.Resolver):
    """Serve ``xs:import`` / ``xs:include`` only from files under the schemas directory."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self._root = root.resolve()

    def resolve(self, system_url: str, public_id: str, context: object = None) -> Any:
        parsed = urlparse(system_url)
        if parsed.scheme not in ("", "file"):
            raise SchemaLoadError(f"schema import refused (not a local file): {system_url}")
        target = Path(unquote(parsed.path)).resolve()
        if not target.is_relative_to(self._root):
            raise SchemaLoadError(f"schema import refused (outside {self._root}): {system_url}")
        resolver: Any = self  # lxml-stubs lack resolve_filename
        return resolver.resolve_filename(str(target), context)


def _schema_parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        no_network=True, resolve_entities=False, load_dtd=False, remove_comments=True
    )
    parser.resolvers.add(_LocalSchemasOnly(schemas_dir()))
    return parser


def _compile(name: str) -> etree.XMLSchema:
    entry = info(name)
    try:
        document = etree.parse(str(entry.path), _schema_parser())
        return etree.XMLSchema(document)
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise SchemaLoadError(f"schema {name} ({entry.file}) does not load: {exc}") from exc


@cache
def load(name: str) -> etree.XMLSchema:
    """The compiled schema ``name`` (compiled once, then cached)."""
    return _compile(name)


_idle: dict[str, queue.SimpleQueue[etree.XMLSchema]] = {}
_idle_lock = threading.Lock()


@contextmanager
def _validator(name: str) -> Iterator[etree.XMLSchema]:
    """A validator no other thread uses meanwhile: an XMLSchema keeps its error log on the
    instance. Validators are lent from a pool per schema, so a server compiles as many as it
    validates documents at once (a few), not one per thread its thread pool ever started
    (up to 40, each compile costing tens of milliseconds on the request that triggers it)."""
    idle = _idle.get(name)
    if idle is None:
        load(name)  # fail loudly, once, with the shared cache
        with _idle_lock:
            idle = _idle.setdefault(name, queue.SimpleQueue())
    try:
        schema = idle.get_nowait()
    except queue.Empty:
        schema = _compile(name)
    try:
        yield schema
    finally:
        idle.put(schema)


# --------------------------------------------------------------------------- violations

_VALUE_PATTERNS = (
    re.compile(r"The value '(?P<v>.*?)' is not"),
    re.compile(r": '(?P<v>.*?)' is not a valid value"),
    re.compile(r"The value '(?P<v>.*?)' has"),
    re.compile(r"The value '(?P<v>.*?)' must"),
)
_STEP = re.compile(r"^(?:(?P<prefix>[^:\[\]/]+):)?(?P<name>[^\[\]/]+)(?:\[(?P<index>\d+)\])?$")


def _element_at(root: etree._Element, path: str) -> etree._Element | None:
    """Walk lxml's error path ("/*/h:header/*[2]") from the root, by position and local name."""
    steps = [s for s in path.split("/") if s]
    if not steps:
        return None
    node: etree._Element | None = root
    for step in steps[1:]:
        match = _STEP.match(step)
        if node is None or match is None:
            return None
        name = match.group("name")
        index = int(match.group("index") or 1)
        kids = [k for k in node if isinstance(k.tag, str)]
        if name != "*":
            kids = [k for k in kids if etree.QName(k).localname == name]
        node = kids[index - 1] if 0 < index <= len(kids) else None
    return node


def readable_path(element: etree._Element) -> str:
    """``/vovRegistrationBulk/registration[3]/worker/insz``: local names, index when repeated."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        local = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [k for k in parent if isinstance(k.tag, str) and k.tag == node.tag]
            if len(same) > 1:
                local += f"[{same.index(node) + 1}]"
        parts.append(local)
        node = parent
    return "/" + "/".join(reversed(parts))


def _violation(root: etree._Element, entry: etree._LogEntry) -> Violation:
    raw_path = entry.path or "/"
    element = _element_at(root, raw_path)
    path = readable_path(element) if element is not None else raw_path
    local = etree.QName(element).localname if element is not None else raw_path.rsplit(":", 1)[-1]
    message = entry.message
    value: str | None = None
    for pattern in _VALUE_PATTERNS:
        match = pattern.search(message)
        if match:
            value = match.group("v")
            break
    if value is not None and local in SENSITIVE_ELEMENTS:
        masked = mask_insz(value)
        message = message.replace(f"'{value}'", f"'{masked}'")
        value = masked
    # By value too, whatever element holds it: an INSZ in a free-text or misplaced element.
    message = redact_insz(message)
    value = None if value is None else redact_insz(value)
    rule = f"xsd.{(entry.type_name or 'error').lower()}"
    return Violation(path=path, rule=rule, message=message, value=value)


def validate(name: str, document: etree._Element | bytes | str) -> None:
    """Validate against schema ``name``; raise BrugValidationError listing EVERY XSD error.

    Bytes / text are parsed with the hardened :func:`~gateway.xml.safe_parser.parse_xml` first.
    """
    root = parse_xml(document) if isinstance(document, bytes | str) else document
    with _validator(name) as schema:
        if schema.validate(root):
            return
        entries = cast(Iterable[etree._LogEntry], schema.error_log)
        violations = [_violation(root, entry) for entry in entries]
    if not violations:  # pragma: no cover - libxml2 always logs why
        violations = [Violation("/", "xsd.invalid", "document is not valid")]
    raise BrugValidationError(violations, context=f"XML document ({name})")


def detect(root: etree._Element) -> str:
    """The catalog name of the schema a document belongs to, from its root namespace and name."""
    qname = etree.QName(root)
    for entry in catalog().values():
        if entry.namespace == qname.namespace and qname.localname in entry.roots:
            return entry.name
    known = any(entry.namespace == qname.namespace for entry in catalog().values())
    rule, why = (
        ("xml.root", f"{qname.localname} is not a message root of its schema")
        if known
        else ("xml.namespace", f"no brug schema has namespace {qname.namespace!r}")
    )
    raise BrugValidationError(
        [Violation("/" + qname.localname, rule, why, qname.text)], context="XML document"
    )
