"""Low-level helpers every XML binding shares: canonical lexical forms, child lookup, messages.

brug binds XML to its models by hand with lxml (docs/schemas.md says why). These helpers keep
the hand-written bindings short and, above all, *consistent*: one function decides how a decimal,
a date, a timestamp or a boolean is written, and that form is exactly what the XSD patterns in
``schemas/common/types-v1.xsd`` accept. That is what makes XML -> model -> XML byte-for-byte
lossless (after c14n): reading keeps a decimal's scale (``"32.50"`` stays ``Decimal("32.50")``)
and writing prints it back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from lxml import etree
from pydantic import BaseModel

from gateway.errors import BrugValidationError, Violation
from gateway.models.header import MessageHeader
from gateway.validation import parse_model
from gateway.xml.safe_parser import ParseLimits, parse_xml

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Message(Generic[T]):
    """A read message document: its header and its payload (a model or a tuple of models)."""

    header: MessageHeader
    body: T


# --------------------------------------------------------------------------- writing


def fmt_decimal(value: Decimal) -> str:
    """Plain notation, scale kept: Decimal("32.50") -> "32.50", never "3.25E+1" or "-0"."""
    if value.is_zero() and value.is_signed():
        value = abs(value)
    return format(value, "f")


def fmt_date(value: date) -> str:
    return value.isoformat()


def fmt_datetime(value: datetime) -> str:
    """ISO 8601 with the offset; UTC is written "Z" (the form partners' stacks emit)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def fmt(value: object) -> str:
    """The canonical lexical form of any scalar a model holds."""
    if type(value) is str:  # most values: no isinstance chain (a record writes ~40 of them)
        return value
    if isinstance(value, bool):
        return fmt_bool(value)
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, date):
        return fmt_date(value)
    return str(value)


def new_root(tag: str, default_ns: str, **prefixes: str) -> etree._Element:
    """A root element with ``default_ns`` as default namespace and the given prefixes declared."""
    nsmap: dict[Any, str] = {None: default_ns, **prefixes}
    return etree.Element(tag, nsmap=nsmap)


def sub(parent: etree._Element, tag: str, value: object = None) -> etree._Element:
    """Append child ``tag`` (Clark notation), with ``value`` as text when given."""
    child = _SubElement(parent, tag)
    if value is not None:
        child.text = value if type(value) is str else fmt(value)
    return child


_SubElement = etree.SubElement


def opt(parent: etree._Element, tag: str, value: object) -> None:
    """Append child ``tag`` only when ``value`` is not None (minOccurs=0 elements)."""
    if value is not None:
        sub(parent, tag, value)


def many(parent: etree._Element, tag: str, values: Iterable[object]) -> None:
    for value in values:
        sub(parent, tag, value)


def serialize(root: etree._Element, *, pretty: bool = False) -> bytes:
    """UTF-8 bytes with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


def canonical(root: etree._Element) -> bytes:
    """C14N 1.0 form, for byte-for-byte comparisons."""
    return etree.tostring(root, method="c14n")


# --------------------------------------------------------------------------- reading


def as_root(
    document: etree._Element | bytes | str, limits: ParseLimits | None = None
) -> etree._Element:
    """The root element; bytes and text go through the hardened parser."""
    if isinstance(document, bytes | str):
        return parse_xml(document, limits)
    return document


def child(parent: etree._Element, tag: str) -> etree._Element | None:
    return _first(parent, tag)


def children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    return iter(parent.findall(tag))


def _first(parent: etree._Element, tag: str) -> etree._Element | None:
    """``parent.find(tag)``; a plain tag (``{ns}local``) by walking the children, which costs
    half of ``find`` parsing its path language (a record reads ~50 elements)."""
    if tag.count("{") > 1 or (not tag.startswith("{") and "/" in tag):  # a path: a/b
        return parent.find(tag)
    return next(parent.iterchildren(tag), None)


def text(parent: etree._Element, tag: str) -> str | None:
    """Text of the first ``tag`` child ("" for an empty element), None when absent."""
    found = _first(parent, tag)
    if found is None:
        return None
    return found.text or ""


def texts(parent: etree._Element, tag: str) -> list[str]:
    return [found.text or "" for found in parent.findall(tag)]


def put(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``data[key]`` unless ``value`` is None: absent elements leave the model default."""
    if value is not None:
        data[key] = value


def expect_root(root: etree._Element, tag: str, context: str) -> None:
    """The schema accepts several roots; a reader accepts exactly the one it binds."""
    if root.tag != tag:
        raise BrugValidationError(
            [
                Violation(
                    "/" + etree.QName(root).localname,
                    "xml.root",
                    f"expected root element {tag}",
                    str(root.tag),
                )
            ],
            context=context,
        )


class ModelBuilder:
    """Build several models from one document and report every violation of all of them.

    A message has a header and a payload (or many payloads in a bulk file): a partner should see
    the header's and every record's problems in one error, each path prefixed by where it is.
    """

    def __init__(self, context: str) -> None:
        self.context = context
        self.violations: list[Violation] = []

    def build(self, model: type[M], data: Any, prefix: str) -> M | None:
        try:
            return parse_model(model, data, context=self.context)
        except BrugValidationError as exc:
            self.violations.extend(
                Violation(
                    f"{prefix}.{v.path}" if v.path != "/" else prefix, v.rule, v.message, v.value
                )
                for v in exc.violations
            )
            return None

    def raise_if_invalid(self) -> None:
        if self.violations:
            raise BrugValidationError(self.violations, context=self.context)
