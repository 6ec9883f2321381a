"""The schema registry: catalog, offline loading, every-error validation, detection."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from gateway.errors import BrugValidationError
from gateway.xml import schemas

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_catalog_lists_every_xsd_file() -> None:
    listed = {info.path.resolve() for info in schemas.list_schemas()}
    on_disk = {p.resolve() for p in schemas.schemas_dir().rglob("*.xsd")}
    assert listed == on_disk
    assert [i.name for i in schemas.list_schemas()] == sorted(
        i.name for i in schemas.list_schemas()
    )


def test_namespaces_are_unique_and_versioned() -> None:
    namespaces = [info.namespace for info in schemas.list_schemas()]
    assert len(namespaces) == len(set(namespaces))
    for info in schemas.list_schemas():
        assert info.namespace.startswith("urn:be:brug:")
        assert info.namespace.rsplit(":", 1)[1].isdigit()  # the version is the last segment
        assert info.name.endswith(f"-v{info.namespace.rsplit(':', 1)[1]}")


def test_catalog_matches_target_namespaces() -> None:
    for info in schemas.list_schemas():
        tree = etree.parse(str(info.path))
        assert tree.getroot().get("targetNamespace") == info.namespace, info.name
        declared = {e.get("name") for e in tree.getroot().iterchildren("{*}element")}
        assert set(info.roots) <= declared, info.name


@pytest.mark.parametrize("name", [i.name for i in schemas.list_schemas()])
def test_every_schema_compiles(name: str) -> None:
    schema = schemas.load(name)
    assert isinstance(schema, etree.XMLSchema)
    assert schemas.load(name) is schema  # cached


def test_message_schemas_import_the_shared_header() -> None:
    for name in (
        "vov-registration-v1",
        "odb-course-v1",
        "bev-record-v1",
        "bev-record-v2",
        "career-break-v1",
    ):
        text = schemas.info(name).path.read_text()
        assert 'namespace="urn:be:brug:header:1"' in text
        assert 'ref="h:header"' in text


def test_unknown_schema_name() -> None:
    with pytest.raises(KeyError, match="unknown schema"):
        schemas.load("nope-v9")


def test_imports_outside_schemas_dir_or_from_network_are_refused() -> None:
    for location in ("http://example.com/evil.xsd", "../../../../etc/hosts"):
        xsd = (
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
            f'<xs:import namespace="urn:y" schemaLocation="{location}"/></xs:schema>'
        )
        base = str(schemas.schemas_dir() / "common" / "probe.xsd")
        document = etree.fromstring(xsd.encode(), schemas._schema_parser(), base_url=base)
        with pytest.raises(etree.XMLSchemaParseError):
            etree.XMLSchema(document)


def test_validate_lists_every_error_with_path_rule_value() -> None:
    raw = (EXAMPLES / "invalid" / "schema-invalid.xml").read_bytes()
    with pytest.raises(BrugValidationError) as caught:
        schemas.validate("vov-registration-v1", raw)
    violations = caught.value.violations
    assert len(violations) == 5
    by_path = {v.path: v for v in violations}
    base = "/vovRegistrationMessage/registration"
    assert by_path[f"{base}/establishmentUnit/region"].rule == "xsd.schemav_cvc_enumeration_valid"
    assert by_path[f"{base}/establishmentUnit/region"].value == "bruxelles"
    assert by_path[f"{base}/contactHours"].value == "120,5"
    assert by_path[f"{base}/contactHours"].rule == "xsd.schemav_cvc_datatype_valid_1_2_1"
    assert by_path[f"{base}/worker/livesAlone"].value == "nee"
    assert by_path[f"{base}/endDate"].value == "20/06/2026"
    assert by_path[f"{base}/employment"].rule == "xsd.schemav_element_content"
    assert all(v.rule.startswith("xsd.") for v in violations)


def test_paths_index_repeated_elements_and_mask_insz() -> None:
    root = etree.parse(str(EXAMPLES / "vov-registrations-bulk.xml")).getroot()
    ns = {"v": "urn:be:brug:flanders:vov-registration:1"}
    insz = root.xpath("v:registration[2]/v:worker/v:insz", namespaces=ns)[0]
    insz.text = "1234567890X"
    with pytest.raises(BrugValidationError) as caught:
        schemas.validate("vov-registration-v1", root)
    (violation,) = caught.value.violations
    assert violation.path == "/vovRegistrationBulk/registration[2]/worker/insz"
    assert violation.value == "***********"  # never echoed, even when malformed
    assert "1234567890X" not in violation.message
    assert "1234567890X" not in str(caught.value)


def test_duplicate_registration_ids_in_bulk_are_refused() -> None:
    root = etree.parse(str(EXAMPLES / "vov-registrations-bulk.xml")).getroot()
    ns = {"v": "urn:be:brug:flanders:vov-registration:1"}
    ids = root.xpath("v:registration/v:registrationId", namespaces=ns)
    ids[1].text = ids[0].text
    with pytest.raises(BrugValidationError) as caught:
        schemas.validate("vov-registration-v1", root)
    assert caught.value.violations[0].rule == "xsd.schemav_cvc_idc"
    assert "Duplicate key-sequence" in caught.value.violations[0].message


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("vov-registration-brussels.xml", "vov-registration-v1"),
        ("vov-registrations-bulk.xml", "vov-registration-v1"),
        ("odb-course.xml", "odb-course-v1"),
        ("bev-record-v1.xml", "bev-record-v1"),
        ("bev-record-v2.xml", "bev-record-v2"),
        ("career-breaks.xml", "career-break-v1"),
        ("career-break-query.xml", "career-break-v1"),
        ("career-break-mutation.xml", "career-break-v1"),
    ],
)
def test_detect(example: str, expected: str) -> None:
    root = etree.parse(str(EXAMPLES / example)).getroot()
    assert schemas.detect(root) == expected


def test_detect_unknown_namespace_and_root() -> None:
    with pytest.raises(BrugValidationError) as caught:
        schemas.detect(etree.fromstring(b"<x xmlns='urn:other'/>"))
    assert caught.value.violations[0].rule == "xml.namespace"
    with pytest.raises(BrugValidationError) as caught:
        schemas.detect(
            etree.fromstring(b"<worker xmlns='urn:be:brug:flanders:vov-registration:1'/>")
        )
    assert caught.value.violations[0].rule == "xml.root"


def test_validate_parses_bytes_safely() -> None:
    raw = (EXAMPLES / "invalid" / "doctype-entity.xml").read_bytes()
    with pytest.raises(BrugValidationError) as caught:
        schemas.validate("vov-registration-v1", raw)
    assert caught.value.violations[0].rule == "xml.dtd"


def test_bundled_location_is_a_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = tmp_path / "schemas"
    (bundled).mkdir()
    (bundled / schemas.CATALOG_FILE).write_text("")
    monkeypatch.setattr(schemas, "_candidate_dirs", lambda: (tmp_path / "missing", bundled))
    schemas.schemas_dir.cache_clear()
    try:
        assert schemas.schemas_dir() == bundled
    finally:
        schemas.schemas_dir.cache_clear()
