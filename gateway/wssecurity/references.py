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

_ID_ATTRS: Final = etree.XPath(
    "//@wsu:Id | //@Id | //@ID | //@xml:id", namespaces={"wsu": WSU, "xml": XML}
)
_BARE_ID: Final = re.compile(r"^#([A-Za-z_][A-Za-z0-9_.\-]*)$")

BODY: Final = "Body"
TIMESTAMP: Final = "Timestamp"
TOKEN: Final = "BinarySecurityToken"  # noqa: S105 (a part name, not a secret)


def id_index(root: etree._Element) -> dict[str, etree._Element]:
    """Map every Id value to its element; refuse the document if a value occurs twice."""
    index: dict[str, etree._Element] = {}
    for value in _ID_ATTRS(root):  # type: ignore[union-attr]
        text = str(value)
        owner: etree._Element | None = value.getparent()  # type: ignore[union-attr]
        if owner is None:
            continue
        if text in index:
            raise WSSecurityFault(
                INVALID_SECURITY,
                f"Id {text!r} occurs more than once in the message (possible signature wrapping)",
            )
        index[text] = owner
    return index


def parse_reference_uri(uri: str | None) -> str:
    """Return the Id of a same-document ``#id`` reference or refuse it."""
    m = _BARE_ID.match(uri or "")
    if not m:
        raise WSSecurityFault(
            INVALID_SECURITY,
            f"reference URI {uri!r} is not a same-document '#id' reference "
            "(external, whole-document and XPointer references are refused)",
        )
    return m.group(1)


def classify(
    element: etree._Element,
    body: etree._Element,
    header: etree._Element | None,
    security: etree._Element,
) -> str:
    """Name the part ``element`` is, by position; refuse elements outside accepted positions."""
    if element is body:
        return BODY
    parent = element.getparent()
    if parent is security and element.tag == WSU_TIMESTAMP:
        return TIMESTAMP
    if parent is security and element.tag == WSSE_BST:
        return TOKEN
    if header is not None and parent is header and element is not security:
        return str(element.tag)
    raise WSSecurityFault(
        INVALID_SECURITY,
        f"a signed reference points to a {etree.QName(element).localname} element outside the "
        "positions brug accepts (the Envelope's Body, our Security header, a header block): "
        "possible signature wrapping",
    )
