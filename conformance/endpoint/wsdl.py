"""What a published WSDL promises: operations, SOAPActions, message elements; WSDL equality.

The catalogue names operations; the actions and the element each answer must carry come from
the published WSDL itself, so a case cannot drift from the contract it claims to test.

A served WSDL is compared with the published one after normalising what legitimately differs
per deployment: comments and whitespace, ``soap:address`` / ``soap12:address`` locations, and
``schemaLocation`` paths (brug's servers rewrite them to their own URLs; only the file name is
kept). Anything else that differs (an operation, a type, a binding) is a contract change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from gateway.xml import schemas
from gateway.xml.safe_parser import parse_xml

WSDL_OPERATION = "wsdl"  # the pseudo-operation of the "served WSDL equals the published one" case
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP11_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12_BINDING = "http://schemas.xmlsoap.org/wsdl/soap12/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
_ADDRESSES = (f"{{{SOAP11_BINDING}}}address", f"{{{SOAP12_BINDING}}}address")


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    action: str
    input_element: str  # Clark notation
    output_element: str


@dataclass(frozen=True, slots=True)
class Contract:
    name: str
    path: Path
    operations: dict[str, Operation]


def _qname(element: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    return f"{{{namespace}}}{local}" if namespace else local


@cache
def contract(name: str) -> Contract:
    """Operations of the catalogued WSDL ``name`` (a trusted file of brug's own)."""
    path = schemas.wsdl_path(name)
    root = etree.parse(str(path)).getroot()
    w = f"{{{WSDL_NS}}}"
    elements: dict[str, str] = {}
    for message in root.iter(f"{w}message"):
        part = message.find(f"{w}part")
        if part is not None and part.get("element"):
            elements[message.get("name", "")] = _qname(part, part.get("element", ""))
    actions: dict[str, str] = {}
    for binding in root.iter(f"{w}binding"):
        for op in binding.iter(f"{w}operation"):
            soap_op = op.find(f"{{{SOAP11_BINDING}}}operation")
            if soap_op is not None and soap_op.get("soapAction"):
                actions[op.get("name", "")] = soap_op.get("soapAction", "")
    operations: dict[str, Operation] = {}
    for port_type in root.iter(f"{w}portType"):
        for op in port_type.iter(f"{w}operation"):
            op_name = op.get("name", "")
            io = [op.find(f"{w}input"), op.find(f"{w}output")]
            names = [(e.get("message", "") if e is not None else "").split(":")[-1] for e in io]
            operations[op_name] = Operation(
                op_name, actions.get(op_name, ""), elements[names[0]], elements[names[1]]
            )
    return Contract(name, path, operations)


def normalise_wsdl(data: bytes) -> bytes:
    """Canonical form of a WSDL with deployment-specific values blanked (see module doc)."""
    root = parse_xml(data)
    for comment in list(root.iter(etree.Comment)):
        parent = comment.getparent()
        if parent is not None:
            parent.remove(comment)
    for element in root.iter(etree.Element):
        if element.tag in _ADDRESSES:
            element.set("location", "")
        location = element.get("schemaLocation")
        if location is not None:
            element.set("schemaLocation", location.rsplit("/", 1)[-1])
        element.text = (element.text or "").strip() or None
        element.tail = None
    return etree.tostring(root, method="c14n", exclusive=True)


def _lines(canonical: bytes) -> list[str]:
    root = etree.fromstring(canonical)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode").splitlines()


def wsdl_difference(published: bytes, served: bytes, max_lines: int = 12) -> str | None:
    """None when equal after normalising; else the first lines of a unified diff."""
    left, right = normalise_wsdl(published), normalise_wsdl(served)
    if left == right:
        return None
    diff = difflib.unified_diff(
        _lines(left), _lines(right), "published", "served", n=1, lineterm=""
    )
    shown = list(diff)[2 : 2 + max_lines]
    return "\n".join(shown) or "the canonical forms differ"
