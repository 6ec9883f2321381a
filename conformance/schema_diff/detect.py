"""Which front-end reads a file: XSD and WSDL by their root element, else OpenAPI (JSON/YAML)."""

from __future__ import annotations

from pathlib import Path

from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.loader import SchemaSet, read_xml, schema_root_for, xs
from conformance.schema_diff.model import Contract
from conformance.schema_diff.openapi import load_openapi
from conformance.schema_diff.wsdl import WSDL_NS, load_wsdl
from conformance.schema_diff.xsd import load_xsd


def _looks_like_xml(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise SchemaInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def load_contract(path: Path, schema_root: Path | None = None) -> tuple[Contract, SchemaSet | None]:
    """Read ``path`` as XSD, WSDL 1.1 or OpenAPI 3.x; XML formats also return their schemas."""
    if not path.is_file():
        raise SchemaInputError(f"{path}: no such file")
    if not _looks_like_xml(path):
        return load_openapi(path), None
    root_dir = schema_root or schema_root_for(path)
    _, root = read_xml(path)
    if root.tag == xs("schema"):
        return load_xsd(path, root_dir)
    if root.tag == f"{{{WSDL_NS}}}definitions":
        return load_wsdl(path, root_dir)
    raise SchemaInputError(f"{path}: neither an XML Schema nor a WSDL 1.1 (root is {root.tag})")
