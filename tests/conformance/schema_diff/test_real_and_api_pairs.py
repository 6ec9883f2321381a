"""The real BEV v1 → v2 pair, the golden examples, and the WSDL and OpenAPI front-ends."""

from __future__ import annotations

from conformance.schema_diff import ChangeKind, Level, diff_files
from tests.conformance.schema_diff.conftest import EXAMPLES, PAIRS, SCHEMAS, only

BEV_V1 = SCHEMAS / "brussels" / "bev-record-v1.xsd"
BEV_V2 = SCHEMAS / "brussels" / "bev-record-v2.xsd"


def test_bev_v1_to_v2_reports_exactly_the_three_changes() -> None:
    report = diff_files(BEV_V1, BEV_V2)
    found = [(c.kind, c.path, c.backward, c.forward) for c in report.changes]
    assert sorted(found) == sorted(
        [
            # a versioned namespace makes v2 a new contract: breaking both ways, and said so
            (ChangeKind.NAMESPACE_CHANGED, "(schema)", False, False),
            (
                ChangeKind.ADDED_OPTIONAL,
                "messageCongeEducation/dossier/langueIntitule",
                True,
                False,
            ),
            (
                ChangeKind.ENUM_VALUE_REMOVED,
                "messageCongeEducation/dossier/motifPlafondMajore",
                False,
                True,
            ),
        ]
    )
    removed = only(report, "messageCongeEducation/dossier/motifPlafondMajore")
    assert removed.description == "enumeration value 'faible-niveau-etudes' removed"
    added = only(report, "messageCongeEducation/dossier/langueIntitule")
    assert added.description == "optional element 'langueIntitule' added"
    assert "NOT" not in added.producers and "OLD rejects it" in added.producers
    namespace = only(report, "(schema)")
    assert "urn:be:brug:brussels:bev-record:1" in namespace.description
    assert "new contract" in namespace.producers
    assert not report.compatible
    assert report.verdict().startswith("BREAKING at BACKWARD")
    assert report.overall is Level.NONE
    assert report.warnings == []


def test_bev_golden_v1_message_fails_under_v2_because_of_the_namespace() -> None:
    report = diff_files(BEV_V1, BEV_V2, golden=EXAMPLES)
    assert report.golden is not None
    # only OLD-version messages are checked: bev-record-v2.xml and the others are skipped
    assert [g.file.rsplit("/", 1)[-1] for g in report.golden] == ["bev-record-v1.xml"]
    (result,) = report.golden
    assert result.valid_old and not result.valid_new and result.fails
    assert (
        "bev-record:1" in result.errors[0]
        and "No matching global declaration" in (result.errors[0])
    )
    assert "golden message(s) of OLD fail under NEW" in report.verdict()


def test_golden_messages_still_valid_under_an_identical_schema() -> None:
    report = diff_files(BEV_V1, BEV_V1, golden=EXAMPLES)
    assert report.golden is not None and len(report.golden) == 1
    assert report.golden[0].valid_new and report.compatible


def test_catalogued_schemas_and_wsdls_diff_clean_against_themselves() -> None:
    for path in [*SCHEMAS.rglob("*.xsd"), *SCHEMAS.rglob("*.wsdl")]:
        report = diff_files(path, path, level=Level.FULL)
        assert (path.name, report.changes, report.warnings) == (path.name, [], [])


def test_wsdl_operation_removed_and_soap_action_changed() -> None:
    report = diff_files(PAIRS / "wsdl" / "old.wsdl", PAIRS / "wsdl" / "new.wsdl")
    operation = only(report, "portType:SvcPortType/Echo")
    assert (operation.kind, operation.item, operation.backward, operation.forward) == (
        ChangeKind.REMOVED,
        "operation",
        False,  # clients on OLD still call Echo
        True,
    )
    assert operation.description == "operation 'Echo' removed"
    action = only(report, "binding:SvcSoap/Ping")
    assert (action.kind, action.backward, action.forward) == (
        ChangeKind.SOAP_ACTION_CHANGED,
        False,
        False,
    )
    assert (action.old, action.new) == ("urn:test:svc/Ping", "urn:test:svc/v2/Ping")
    kinds = {(c.kind, c.path) for c in report.changes}
    assert (ChangeKind.REMOVED, "message:EchoRequest") in kinds
    assert (ChangeKind.REMOVED, "binding:SvcSoap/Echo") in kinds
    assert len(report.changes) == 6


def test_wsdl_embedded_schema_changes_are_reported_under_the_message() -> None:
    report = diff_files(PAIRS / "wsdl" / "old.wsdl", PAIRS / "wsdl" / "new.wsdl")
    note = only(report, "message:PingRequest/body/Ping/note")
    assert (note.kind, note.backward, note.forward) == (ChangeKind.ADDED_OPTIONAL, True, False)
    # an input message: clients produce it, the service consumes it
    assert note.producers.startswith("clients") and note.consumers.startswith("the service")


def test_openapi_required_parameter_removed_property_and_enum_value() -> None:
    report = diff_files(PAIRS / "openapi" / "old.json", PAIRS / "openapi" / "new.yaml")
    assert report.format == "openapi"
    tenant = only(report, "[GET /items]/query:tenant")
    # required parameter added: clients on OLD do not send it (breaks BACKWARD); an OLD
    # service ignores an unknown parameter (FORWARD ok)
    assert (tenant.kind, tenant.item, tenant.backward, tenant.forward) == (
        ChangeKind.ADDED_REQUIRED,
        "parameter",
        False,
        True,
    )
    assert "the service" in tenant.consumers
    legacy = only(report, "[POST /items]/request/[application/json]/legacyCode")
    # removed from an open object: NEW still accepts it; OLD required it, so FORWARD breaks
    assert (legacy.kind, legacy.backward, legacy.forward) == (
        ChangeKind.REMOVED_REQUIRED,
        True,
        False,
    )
    colour = only(report, "[GET /items]/response 200/[application/json]/[]/colour")
    assert (colour.kind, colour.backward, colour.forward) == (
        ChangeKind.ENUM_VALUE_ADDED,
        True,
        False,
    )
    assert "clients" in colour.consumers  # a response: the service produces, clients consume
    assert len(report.changes) == 5
    assert not report.compatible  # the required parameter breaks BACKWARD
