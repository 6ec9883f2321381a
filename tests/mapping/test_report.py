import pytest

from gateway.mapping import Finding, FindingKind, MappingReport, ReportBuilder
from gateway.mapping.construct import construct_complete
from gateway.models import Employment


def test_report_helpers() -> None:
    builder = ReportBuilder("a", "b")
    builder.copy("src.x")
    builder.add("src.y", FindingKind.FLAGGED, "check it", 1, None)
    builder.add("src.z", FindingKind.DROPPED, "gone")
    report = builder.build("v1")
    assert report.accounted_fields() == {"src.x", "src.y", "src.z"}
    assert report.flagged == (Finding("src.y", FindingKind.FLAGGED, "check it", "1", None),)
    assert report.for_field("src.z")[0].kind is FindingKind.DROPPED
    assert isinstance(report, MappingReport) and report.rule_data_version == "v1"


def test_construct_complete_refuses_missing_fields() -> None:
    with pytest.raises(KeyError):
        construct_complete(Employment, {"fraction": 1})
    built = construct_complete(Employment, {"fraction": 1, "reference_month": "2024-09"})
    assert built.reference_month == "2024-09"
