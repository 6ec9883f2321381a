"""Resolving same-document references by Id, brug's way.

XML Signature wrapping works when the verifier and the application disagree about *which*
element a reference means. brug closes that gap three ways: a reference must be a bare
``#id``; every Id-like attribute value in the whole document must be unique (so there is only
one candidate); and the resolved element must sit where the part it claims to be belongs
(the Envelope's Body, a direct child of our Security header, or a direct child of the Header).
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from gateway.wssecurity.faults import INVALID_SECURITY, WSSecurityFault
from gateway.wssecurity.ns import WSSE_BST, WSU, WSU_TIMESTAMP, XML

# The four Id attribute flavours brug honours (WS-Security's wsu:Id, XML-DSig's Id, SAML's ID
# and xml:id) in the whole document, gathered by ONE compiled XPath evaluated in libxml2 (~3x
# cheaper than a Python walk). ``descendant-or-self::*`` rather than ``//`` (which is
# ``descendant-or-self::node()``) selects the same attributes without visiting text nodes, and
# ``regexp=False`` spares registering the EXSLT regex functions on every call. Smart strings stay
# on: each result is the attribute value and names its owner element (``getparent``), so
# resolving a reference needs no second walk.
_ID_ATTRS: Final = etree.XPath(
    "/descendant-or-self::*/@wsu:Id | /descendant-or-self::*/@Id"
    " | /descendant-or-self::*/@ID | /descendant-or-self::*/@xml:id",
    namespaces={"wsu": WSU, "xml": XML},
    regexp=False,
)
# A same-document reference to one Id: "#" and an NCName-like Id, nothing else.
BARE_ID: Final = re.compile(r"^#([A-Za-z_][A-Za-z0-9_.\-]*)$")

BODY: Final = "Body"
TIMESTAMP: Final = "Timestamp"
TOKEN: Final = "BinarySecurityToken"  # noqa: S105 (a part name, not a secret)


class IdIndex:
    """Every Id-like attribute value of a document, checked unique, resolvable to its element.

    Built on every verification, so it does the least Python work possible: the XPath above
    collects the attribute values in C, ``dict(zip(...))`` de-duplicates them in C (a shorter
    dict than list means a value occurred twice: refused), and the owner element of a value is
    only looked up for the handful of Ids a signature actually references.
    """

    __slots__ = ("by_id",)

    def __init__(self, root: etree._Element) -> None:
        values: list[etree._ElementUnicodeResult] = _ID_ATTRS(root)  # type: ignore[assignment]
        by_value: dict[str, etree._ElementUnicodeResult] = dict(zip(values, values, strict=True))
        if len(by_value) != len(values):
            raise _duplicate(values)
        # Id value -> the attribute value as lxml returned it, whose getparent() is the owner.
        self.by_id = by_value

    def get(self, ident: str) -> etree._Element | None:
        """The element carrying Id ``ident`` (unique in the document), or None."""
        value = self.by_id.get(ident)
        return None if value is None else value.getparent()

    def __contains__(self, ident: object) -> bool:
        return ident in self.by_id

    def __len__(self) -> int:
        return len(self.by_id)


def _duplicate(values: list[etree._ElementUnicodeResult]) -> WSSecurityFault:
    """The fault for the first Id value that occurs twice (failure path only)."""
    seen: set[str] = set()
    text = ""
    for value in values:
        text = str(value)
        if text in seen:
            break
        seen.add(text)
    return WSSecurityFault(
        INVALID_SECURITY,
        f"Id {text!r} occurs more than once in the message (possible signature wrapping)",
    )


def id_index(root: etree._Element) -> dict[str, etree._Element]:
    """Map every Id value to its element; refuse the document if a value occurs twice."""
    index = IdIndex(root)
    return {
        str(value): value.getparent()  # type: ignore[misc]
        for value in index.by_id.values()
    }


def parse_reference_uri(uri: str | None) -> str:
    """Return the Id of a same-document ``#id`` reference or refuse it."""
    m = BARE_ID.match(uri or "")
    if not m:
        raise WSSecurityFault(
            INVALID_SECURITY,
            f"reference URI {uri!r} is not a same-document '#id' reference "
            "(external, whole-document and XPointer references are refused)",
        )
    return m.group(1)


def position(
    element: etree._Element,
    body: etree._Element,
    header: etree._Element | None,
    security: etree._Element,
) -> str | None:
    """The part ``element`` is, by position, or None when it sits anywhere brug does not accept:
    the Envelope's Body, a Timestamp or BinarySecurityToken directly in our Security header, or
    a header block directly in the Header (other than our Security header).
    """
    if element is body:
        return BODY
    parent = element.getparent()
    if parent is security:
        tag = element.tag
        if tag == WSU_TIMESTAMP:
            return TIMESTAMP
        if tag == WSSE_BST:
            return TOKEN
        return None
    if header is not None and parent is header and element is not security:
        return str(element.tag)
    return None


def classify(
    element: etree._Element,
    body: etree._Element,
    header: etree._Element | None,
    security: etree._Element,
) -> str:
    """Name the part ``element`` is, by position; refuse elements outside accepted positions."""
    part = position(element, body, header, security)
    if part is None:
        raise WSSecurityFault(
            INVALID_SECURITY,
            f"a signed reference points to a {etree.QName(element).localname} element outside "
            "the positions brug accepts (the Envelope's Body, our Security header, a header "
            "block): possible signature wrapping",
        )
    return part
