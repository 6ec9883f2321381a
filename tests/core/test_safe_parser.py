"""Hardened parsing: every rule of gateway.xml.safe_parser refuses what it must."""

from __future__ import annotations

import pytest

from gateway.xml.safe_parser import ParseLimits, UnsafeXmlError, parse_xml


def _rules(exc: UnsafeXmlError) -> set[str]:
    return {v.rule for v in exc.violations}


def test_plain_document_parses() -> None:
    root = parse_xml(b"<a xmlns='urn:x'><b>1</b></a>")
    assert root.tag == "{urn:x}a"


def test_xxe_refused(tmp_path: object) -> None:
    doc = b"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"""
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(doc)
    assert _rules(info.value) == {"xml.dtd"}


def test_billion_laughs_refused() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doc = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l0 "lol">{lol}]><a>&l9;</a>'.encode()
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(doc)
    assert _rules(info.value) == {"xml.dtd"}


def test_doctype_after_long_prolog_still_refused() -> None:
    doc = b"<!--" + b"x" * 10_000 + b'--><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(doc)
    assert _rules(info.value) == {"xml.dtd"}


def test_oversized_refused_before_parsing() -> None:
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", ParseLimits(max_bytes=1000))
    assert _rules(info.value) == {"xml.size"}


def test_too_deep_refused() -> None:
    doc = b"<a>" * 100 + b"</a>" * 100
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(doc, ParseLimits(max_depth=50))
    assert _rules(info.value) == {"xml.depth"}
    parse_xml(doc, ParseLimits(max_depth=100))


def test_too_many_elements_refused_before_a_tree_is_built() -> None:
    many = b"<a>" + b"<b/>" * 1001 + b"</a>"  # 1,002 elements
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(many, ParseLimits(max_elements=1001))
    assert _rules(info.value) == {"xml.elements"}
    assert len(parse_xml(many, ParseLimits(max_elements=1002))) == 1001  # at the limit: parsed


def test_element_bound_counts_full_and_empty_elements_alike() -> None:
    full = b"<a>" + b"<b>x</b>" * 300 + b"</a>"  # 301 elements
    assert len(parse_xml(full, ParseLimits(max_elements=301))) == 300
    with pytest.raises(UnsafeXmlError):
        parse_xml(full, ParseLimits(max_elements=300))


def test_ten_megabytes_of_empty_elements_cost_no_tree() -> None:
    """The attack from issue 12: 2.6 million empty elements in 10 MB, refused on the bytes."""
    import resource
    import time

    bomb = b"<a>" + b"<b/>" * 2_600_000 + b"</a>"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(bomb, ParseLimits(max_bytes=11 * 1024 * 1024))
    assert _rules(info.value) == {"xml.elements"}
    assert time.perf_counter() - started < 1.0
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50 * 1024  # a tree of 2.6 M nodes would take hundreds of MB


def test_malformed_names_line() -> None:
    with pytest.raises(UnsafeXmlError) as info:
        parse_xml(b"<a>\n<b></a>")
    assert _rules(info.value) == {"xml.well-formed"}
    assert info.value.violations[0].path.startswith("line")


def test_string_input_accepted() -> None:
    assert parse_xml("<a>é</a>").text == "é"
