"""The duplicate-Id scan (signature-wrapping defence), done by one compiled XPath.

Every flavour of Id attribute brug honours (wsu:Id, Id, ID, xml:id) takes part in the scan: a
value may occur only once in the whole document, whichever flavours carry it.
"""

from __future__ import annotations

import itertools

import pytest
from lxml import etree

from gateway.wssecurity import WSSecurityFault
from gateway.wssecurity.ns import SOAP11, WSU, XML
from gateway.wssecurity.references import IdIndex, id_index

FLAVOURS = [f"{{{WSU}}}Id", "Id", "ID", f"{{{XML}}}id"]


def _doc(*attrs: tuple[str, str], where: str = "header") -> etree._Element:
    """A small Envelope with one element per (attribute, value), in the Header or deep in Body."""
    root = etree.fromstring(
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Header/><s:Body>'
        '<m:A xmlns:m="urn:m"><m:B><m:C/></m:B></m:A></s:Body></s:Envelope>'
    )
    parent = root[0] if where == "header" else root.find(".//{urn:m}C")
    for name, value in attrs:
        etree.SubElement(parent, "{urn:m}X").set(name, value)
    return root


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_duplicate_within_one_flavour_is_refused(flavour):
    with pytest.raises(WSSecurityFault, match="'x1' occurs more than once"):
        IdIndex(_doc((flavour, "x1"), (flavour, "x1")))


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(FLAVOURS, 2)))
def test_duplicate_across_flavours_is_refused(first, second):
    with pytest.raises(WSSecurityFault, match="more than once"):
        IdIndex(_doc((first, "x1"), (second, "x1")))


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_duplicate_deep_in_the_body_is_refused(flavour):
    root = _doc((flavour, "x1"))
    deep = root.find(".//{urn:m}C")
    etree.SubElement(deep, "{urn:m}Y").set(flavour, "x1")
    with pytest.raises(WSSecurityFault, match="more than once"):
        IdIndex(root)


def test_two_flavours_on_one_element_with_one_value_are_refused():
    root = _doc()
    el = etree.SubElement(root[0], "{urn:m}X")
    el.set(f"{{{WSU}}}Id", "same")
    el.set("Id", "same")
    with pytest.raises(WSSecurityFault, match="more than once"):
        IdIndex(root)


def test_other_attributes_are_not_ids():
    """Only the four flavours count: lowercase ``id``, or ``Id`` in a foreign namespace, do not."""
    root = _doc(("id", "x1"), ("id", "x1"), ("{urn:other}Id", "x1"), ("{urn:other}Id", "x1"))
    assert len(IdIndex(root)) == 0


def test_index_resolves_each_flavour_to_its_element():
    root = _doc(*((flavour, f"v{n}") for n, flavour in enumerate(FLAVOURS)))
    index = IdIndex(root)
    for n, flavour in enumerate(FLAVOURS):
        owner = index.get(f"v{n}")
        assert owner is not None and owner.get(flavour) == f"v{n}"
    assert index.get("missing") is None
    assert "v0" in index and "missing" not in index
    assert {k: v.get(FLAVOURS[int(k[1])]) for k, v in id_index(root).items()} == {
        f"v{n}": f"v{n}" for n in range(4)
    }


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_duplicate_of_a_signed_id_refuses_the_message(kit, tools, flavour):
    """End to end: any flavour duplicating the Body's wsu:Id, anywhere, refuses the message."""
    root = tools.parse(kit.sign())
    body_id = root.find(f"{{{SOAP11}}}Body").get(f"{{{WSU}}}Id")
    payload = root.find(f"{{{SOAP11}}}Body")[0]
    etree.SubElement(payload, "{urn:evil}X").set(flavour, body_id)
    with pytest.raises(WSSecurityFault) as info:
        kit.verify(etree.tostring(root))
    assert info.value.code == "wsse:InvalidSecurity"
    assert "occurs more than once" in info.value.reason
