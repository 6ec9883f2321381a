"""Load XSD documents offline: the main file, its imports and includes, all through ``parse_xml``.

Why not ``etree.XMLSchema(file)``: the diff needs the component *declarations* (to resolve
named types at the paths that use them), not only a validator, and every file must go through
the hardened parser. Imports are followed only when their ``schemaLocation`` is a local file
under the *schema root* (the nearest directory holding ``catalog.toml`` — so ``../common``
imports of brug's own schemas work — or else the schema's own directory): an http location or
a path escaping the root is not fetched, and names from it stay unresolved (with a warning).
The same loaded bytes back :meth:`SchemaSet.compile`, whose resolver serves only them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

from conformance.schema_diff.errors import SchemaInputError
from gateway.errors import BrugValidationError
from gateway.xml.safe_parser import ParseLimits, parse_xml

XS_NS = "http://www.w3.org/2001/XMLSchema"
CATALOG_FILE = "catalog.toml"
COMPONENT_TAGS = ("element", "complexType", "simpleType", "group", "attributeGroup", "attribute")


def xs(local: str) -> str:
    return f"{{{XS_NS}}}{local}"


def schema_root_for(path: Path) -> Path:
    """The directory imports may be served from: nearest ancestor with ``catalog.toml``."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if (parent / CATALOG_FILE).is_file():
            return parent
    return resolved.parent


def read_xml(path: Path) -> tuple[bytes, etree._Element]:
    """Read and safely parse one XML file; any failure becomes a :class:`SchemaInputError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return data, parse_xml(data, ParseLimits(max_depth=256))
    except BrugValidationError as exc:
        reasons = "; ".join(f"{v.path}: {v.message}" for v in exc.violations)
        raise SchemaInputError(f"{path}: not well-formed XML ({reasons})") from None


@dataclass(slots=True)
class SchemaDoc:
    """One ``xs:schema`` element and what it needs to resolve names."""

    element: etree._Element
    target_ns: str
    path: Path | None
    qualified_elements: bool
    qualified_attributes: bool
    #: the main document or one it includes (its components are "own", not imported)
    own: bool


def qname(context: etree._Element, value: str) -> str:
    """Clark notation ``{ns}local`` of a QName-valued attribute, using the in-scope prefixes."""
    prefix, _, local = value.rpartition(":")
    namespace = context.nsmap.get(prefix or None) or ""
    return f"{{{namespace}}}{local}" if namespace else local


def split(clark: str) -> tuple[str, str]:
    if clark.startswith("{"):
        namespace, local = clark[1:].split("}", 1)
        return namespace, local
    return "", clark


class _LoadedOnly(etree.Resolver):
    """Serve exactly the documents already loaded (and vetted); refuse everything else."""

    def __init__(self, sources: dict[Path, bytes]) -> None:
        super().__init__()
        self._sources = sources

    def resolve(self, system_url: str, public_id: str, context: object = None) -> Any:
        parsed = urlparse(system_url)
        if parsed.scheme not in ("", "file"):
            raise SchemaInputError(f"schema import refused (not a local file): {system_url}")
        target = Path(unquote(parsed.path)).resolve()
        data = self._sources.get(target)
        if data is None:
            raise SchemaInputError(f"schema import refused (outside the schema root): {target}")
        resolver: Any = self  # lxml-stubs lack resolve_string's base_url keyword
        return resolver.resolve_string(data, context, base_url=str(target))


class SchemaSet:
    """Every schema document reachable from one entry point, with its global components."""

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir.resolve()
        self.sources: dict[Path, bytes] = {}
        self.docs: list[SchemaDoc] = []
        self.namespaces: set[str] = set()
        self.components: dict[str, dict[str, tuple[etree._Element, SchemaDoc]]] = {
            tag: {} for tag in COMPONENT_TAGS
        }
        self.warnings: list[str] = []
        #: imports not followed (remote or outside the root): lxml could not compile the set
        self.skipped: list[str] = []
        self._seen: set[tuple[Path, str | None]] = set()

    def load_file(self, path: Path, *, own: bool, chameleon_ns: str | None = None) -> SchemaDoc:
        """Load ``path`` (an ``xs:schema`` document) and, recursively, what it imports."""
        path = path.resolve()
        self._seen.add((path, chameleon_ns))
        data, root = read_xml(path)
        if root.tag != xs("schema"):
            raise SchemaInputError(f"{path}: not an XML Schema (root is {root.tag})")
        self.sources[path] = data
        return self.add_schema(root, path.parent, path=path, own=own, chameleon_ns=chameleon_ns)

    def add_schema(
        self,
        element: etree._Element,
        base_dir: Path,
        *,
        path: Path | None,
        own: bool,
        chameleon_ns: str | None = None,
    ) -> SchemaDoc:
        """Index an ``xs:schema`` element (a file's root, or embedded in a WSDL)."""
        target = element.get("targetNamespace") or chameleon_ns or ""
        doc = SchemaDoc(
            element=element,
            target_ns=target,
            path=path,
            qualified_elements=element.get("elementFormDefault") == "qualified",
            qualified_attributes=element.get("attributeFormDefault") == "qualified",
            own=own,
        )
        self.docs.append(doc)
        self.namespaces.add(target)
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            name = child.get("name")
            if local in self.components and name:
                clark = f"{{{target}}}{name}" if target else name
                self.components[local].setdefault(clark, (child, doc))
        for child in element:
            if child.tag in (xs("import"), xs("include"), xs("redefine")):
                self._follow(child, base_dir, doc)
        return doc

    def _follow(self, directive: etree._Element, base_dir: Path, doc: SchemaDoc) -> None:
        location = directive.get("schemaLocation")
        is_include = directive.tag != xs("import")
        if not location:
            namespace = directive.get("namespace", "")
            if namespace not in self.namespaces:
                self.warnings.append(f"import of {namespace} has no schemaLocation: not resolved")
            return
        parsed = urlparse(location)
        if parsed.scheme not in ("", "file"):
            self.warnings.append(f"import {location} not fetched (not a local file)")
            self.skipped.append(location)
            return
        target = (base_dir / unquote(parsed.path)).resolve()
        if not target.is_relative_to(self.root_dir):
            self.warnings.append(f"import {location} not followed (outside {self.root_dir})")
            self.skipped.append(location)
            return
        if not target.is_file():
            raise SchemaInputError(f"{doc.path or base_dir}: imported schema {location} not found")
        chameleon = doc.target_ns if is_include else None
        key = (target, chameleon)
        if key in self._seen:
            return
        self._seen.add(key)
        self.load_file(target, own=doc.own and is_include, chameleon_ns=chameleon)

    def find(self, tag: str, clark: str) -> tuple[etree._Element, SchemaDoc] | None:
        return self.components[tag].get(clark)

    def resolvable(self, clark: str) -> bool:
        """Whether names in this QName's namespace were loaded (else: left unresolved)."""
        return split(clark)[0] in self.namespaces

    def compile(self, path: Path) -> etree.XMLSchema:
        """Compile the loaded main document with lxml, imports served only from memory."""
        path = path.resolve()
        if self.skipped:
            raise SchemaInputError(
                f"{path}: cannot be compiled offline (imports not followed: "
                f"{', '.join(self.skipped)}); use --schema-root to allow a local directory"
            )
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        parser.resolvers.add(_LoadedOnly(self.sources))
        try:
            document = etree.fromstring(self.sources[path], parser, base_url=str(path))
            return etree.XMLSchema(document)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise SchemaInputError(f"{path}: not a valid XML Schema ({exc})") from None
