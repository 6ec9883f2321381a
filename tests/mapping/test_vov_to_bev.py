from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import vov_to_bev
from gateway.errors import BrugValidationError
from gateway.mapping import FindingKind, unaccounted_fields
from gateway.models import BevRecord, Employment, RaisedCapReason, RecognitionStatus, Region
from gateway.rules.ruledata import RuleBook

D = Decimal
Reg = Callable[..., Any]


def kinds(result: Any, field: str) -> set[FindingKind]:
    return {f.kind for f in result.report.for_field(field)}


def test_happy_path(make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk) -> None:
    result = vov_to_bev(make_reg(), make_course(), rules, crosswalk)
    record = result.record
    assert record.school_year == "2024-2025"
    assert record.recognition_reference == "BEE-2023-01022"
    assert record.course_title == "Gestion de projets" and record.course_title_language == "fr"
    assert record.hours_cap == D("100.00")
    assert record.hours_claimable == D("100.00")
    assert record.flat_rate_eur == D("22.07")
    assert (record.refund_window_start, record.refund_window_end) == (
        date(2025, 9, 1),
        date(2025, 12, 31),
    )
    assert record.provider_recognition is RecognitionStatus.RECOGNISED
    assert record.source_region is Region.FLANDERS
    assert record.source_registration_id == "VOV-2024-000123"
    assert result.report.rule_data_version == "bev-2026.12.1+vov-2026.12.1"
    assert BevRecord.model_validate(record.model_dump()) == record
    assert unaccounted_fields(result.report, make_reg(), "registration") == ()
    assert unaccounted_fields(result.report, make_course(), "course") == ()


def test_flemish_unit_is_routed_not_converted(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(establishment_unit={"number": "3000001053", "region": "flanders"})
    with pytest.raises(BrugValidationError) as info:
        vov_to_bev(reg, make_course(), rules, crosswalk)
    assert [v.rule for v in info.value.violations] == ["route.not-brussels"]
    assert info.value.violations[0].value == "flanders"


def test_wallonia_unit_is_not_brussels(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(establishment_unit={"number": "3000001053", "region": "wallonia"})
    with pytest.raises(BrugValidationError) as info:
        vov_to_bev(reg, make_course(), rules, crosswalk)
    assert info.value.violations[0].rule == "route.not-brussels"


def test_course_not_in_crosswalk(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(odb_number="CE-999999")
    with pytest.raises(BrugValidationError) as info:
        vov_to_bev(reg, make_course(odb_number="CE-999999"), rules, crosswalk)
    (violation,) = info.value.violations
    assert violation.rule == "crosswalk.unknown-course"
    assert violation.value == "CE-999999"


def test_all_violations_collected(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(
        odb_number="CE-999999",
        start_date="2022-10-01",  # 2022-23: before the BEV reform, no rule data
        establishment_unit={"number": "3000001053", "region": "flanders"},
    )
    with pytest.raises(BrugValidationError) as info:
        vov_to_bev(reg, make_course(), rules, crosswalk, record_id="bad id!")
    found = {v.rule for v in info.value.violations}
    assert found == {
        "route.not-brussels",
        "mapping.course-mismatch",
        "rules.unknown-school-year",
        "crosswalk.unknown-course",
        "type.string_pattern_mismatch",
    }
    unknown = next(v for v in info.value.violations if v.rule == "rules.unknown-school-year")
    assert unknown.value == "2022-2023" and unknown.path == "registration.start_date"


def test_module_number_falls_back_to_course_number(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    module = {
        "odb_number": "CE-100235/M3",
        "title": "Module 3",
        "volume": {"amount": "40", "unit": "hours"},
    }
    reg = make_reg(odb_number="CE-100235/M3")
    result = vov_to_bev(reg, make_course(modules=[module]), rules, crosswalk)
    assert result.record.recognition_reference == "BEE-2023-01022"
    assert result.record.odb_number == "CE-100235/M3"
    assert kinds(result, "course.odb_number") == {FindingKind.CARRIED}


def test_module_level_crosswalk_row(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    module = {
        "odb_number": "CE-100512/M2",
        "title": "Module 2",
        "volume": {"amount": "60", "unit": "hours"},
    }
    reg = make_reg(odb_number="CE-100512/M2")
    course = make_course(odb_number="CE-100512", modules=[module], bottleneck_occupation=True)
    result = vov_to_bev(reg, course, rules, crosswalk)
    assert result.record.recognition_reference == "BEE-2023-01231"
    assert result.record.hours_cap == D("180.00")
    assert result.record.raised_cap_reason is RaisedCapReason.BOTTLENECK_OCCUPATION
    assert kinds(result, "course.bottleneck_occupation") == {FindingKind.CARRIED}


def test_flemish_bottleneck_flag_does_not_raise_brussels_cap(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = vov_to_bev(make_reg(), make_course(bottleneck_occupation=True), rules, crosswalk)
    assert result.record.hours_cap == D("100.00")
    assert kinds(result, "course.bottleneck_occupation") == {FindingKind.FLAGGED}


def test_dutch_only_title_and_unrecognised_provider_flagged(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(odb_number="CE-100412")
    result = vov_to_bev(reg, make_course(odb_number="CE-100412"), rules, crosswalk)
    assert result.record.course_title == "Projectbeheer"
    assert result.record.course_title_language == "nl"
    assert result.record.provider_recognition is RecognitionStatus.TO_CONFIRM
    assert kinds(result, "course.title_nl") == {FindingKind.FLAGGED}
    assert kinds(result, "course.provider") == {FindingKind.FLAGGED}


def test_fraction_qualifies_in_brussels_only(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(employment={"fraction": "0.3000"})
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert result.record.hours_cap == D("30.00")  # 100 h × 0.3
    (finding,) = result.report.for_field("record.employment")
    assert finding.kind is FindingKind.FLAGGED and "Brussels only" in finding.message


def test_fraction_qualifies_in_flanders_only(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    # 0.2 is below both thresholds (BEV 25%, VOV 50%): no one-region finding, no hours
    result = vov_to_bev(
        make_reg(employment={"fraction": "0.2000"}), make_course(), rules, crosswalk
    )
    assert result.record.hours_cap == 0 and result.record.hours_claimable == 0
    assert not result.report.for_field("record.employment")
    assert FindingKind.FLAGGED in kinds(result, "record.hours_cap")


def test_flanders_only_under_a_lower_vov_threshold(
    tmp_path: Path, make_reg: Reg, make_course: Reg, crosswalk: Crosswalk
) -> None:
    (tmp_path / "vov.toml").write_text(
        'scheme = "vov"\nversion = "t"\nsource = "test"\nstatus = "confirmed"\n'
        '[[min_fraction]]\nfrom = "2024-2025"\nto = "2024-2025"\n'
        'source = "test"\nvalue = "0.10"\n',
        encoding="utf-8",
    )
    book = RuleBook.load(tmp_path, environ={})
    result = vov_to_bev(make_reg(employment={"fraction": "0.2000"}), make_course(), book, crosswalk)
    (finding,) = result.report.for_field("record.employment")
    assert "Flanders only" in finding.message


def test_fraction_edge_25_percent(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = vov_to_bev(
        make_reg(employment={"fraction": "0.2500"}), make_course(), rules, crosswalk
    )
    assert result.record.hours_cap == D("25.00")
    result = vov_to_bev(
        make_reg(employment={"fraction": "0.2499"}), make_course(), rules, crosswalk
    )
    assert result.record.hours_cap == D("0.00")


def test_low_education_cap(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(worker={"education_level": "low"}, employment={"fraction": "0.5000"})
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert result.record.hours_cap == D("65.00")
    assert result.record.raised_cap_reason is RaisedCapReason.LOW_EDUCATION


def test_prior_use_carried(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(
        prior_use=[{"region": "flanders", "hours": "30.00"}, {"region": "brussels", "hours": "5"}]
    )
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert result.record.hours_already_used == D("35.00")
    assert result.record.hours_claimable == D("65.00")
    assert kinds(result, "registration.prior_use") == {FindingKind.CARRIED}


def test_prior_use_exceeding_cap_gives_zero(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(prior_use=[{"region": "flanders", "hours": "125.00"}])
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert result.record.hours_cap == D("100.00")
    assert result.record.hours_already_used == D("125.00")
    assert result.record.hours_claimable == D("0.00")
    assert FindingKind.FLAGGED in kinds(result, "record.hours_claimable")
    assert BevRecord.model_validate(result.record.model_dump()) == result.record


def test_contact_hours_below_minimum(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = vov_to_bev(make_reg(contact_hours="31.50"), make_course(), rules, crosswalk)
    assert result.record.hours_claimable == 0
    assert FindingKind.FLAGGED in kinds(result, "record.hours_claimable")


def test_school_year_from_course_start(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    last = vov_to_bev(
        make_reg(start_date="2025-08-31", end_date="2025-12-31"), make_course(), rules, crosswalk
    )
    first = vov_to_bev(
        make_reg(start_date="2025-09-01", end_date="2025-12-31"), make_course(), rules, crosswalk
    )
    assert last.record.school_year == "2024-2025"
    assert last.record.refund_window_end == date(2025, 12, 31)
    assert first.record.school_year == "2025-2026"
    assert first.record.refund_window_end == date(2026, 12, 31)


def test_reference_month_other_than_september_flagged(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(employment={"reference_month": "2024-03"})
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert kinds(result, "registration.employment") == {FindingKind.FLAGGED}
    start_month = make_reg(employment={"reference_month": "2024-10"})
    assert (
        "registration.employment"
        in vov_to_bev(start_month, make_course(), rules, crosswalk).report.copied
    )


def test_brussels_employment_passed_in(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    sept = Employment(fraction=D("0.5"), reference_month="2024-09")
    result = vov_to_bev(make_reg(), make_course(), rules, crosswalk, employment=sept)
    assert result.record.employment == sept
    assert result.record.hours_cap == D("50.00")
    assert kinds(result, "registration.employment") == {FindingKind.RECOMPUTED}


def test_record_id_deterministic_and_bounded(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    a = vov_to_bev(make_reg(), make_course(), rules, crosswalk)
    b = vov_to_bev(make_reg(), make_course(), rules, crosswalk)
    assert a == b
    assert a.record.record_id == "bev-VOV-2024-000123"
    long_id = "X" * 64
    c = vov_to_bev(make_reg(registration_id=long_id), make_course(), rules, crosswalk)
    assert len(c.record.record_id) <= 64
    assert (
        c.record.record_id
        == vov_to_bev(
            make_reg(registration_id=long_id), make_course(), rules, crosswalk
        ).record.record_id
    )
    given = vov_to_bev(make_reg(), make_course(), rules, crosswalk, record_id="BEV-1")
    assert given.record.record_id == "BEV-1"


def test_unconfirmed_vov_threshold_changes_only_the_report(
    make_reg: Reg, make_course: Reg, crosswalk: Crosswalk
) -> None:
    book = RuleBook.load([], include_unconfirmed=True, environ={})
    reg = make_reg(
        employment={"fraction": "0.6000", "reference_month": "2025-09"},
        start_date="2025-10-01",
        end_date="2026-06-30",
    )
    result = vov_to_bev(reg, make_course(), book, crosswalk)
    assert result.record.hours_cap == D("60.00")
    assert "Brussels only" in result.report.for_field("record.employment")[0].message
    default = vov_to_bev(reg, make_course(), RuleBook.load([], environ={}), crosswalk)
    assert not default.report.for_field("record.employment")


def test_source_fields_reported(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(
        study_points="6.0",
        joint_initiative=True,
        attest_date="2024-09-20",
        prior_use=[{"region": "brussels", "hours": "1"}],
        exam_dates=["2025-06-20"],
    )
    module = {
        "odb_number": "CE-100235/M1",
        "title": "M1",
        "volume": {"amount": "60", "unit": "hours"},
    }
    course = make_course(
        first_diploma_only=True,
        entrepreneurship=True,
        bottleneck_occupation=True,
        status="stopped",
        valid_until="2030-01-01",
        modules=[module],
    )
    result = vov_to_bev(reg, course, rules, crosswalk)
    assert kinds(result, "registration.study_points") == {FindingKind.NOT_APPLICABLE}
    assert kinds(result, "registration.joint_initiative") == {FindingKind.NOT_APPLICABLE}
    assert kinds(result, "registration.attest_date") == {FindingKind.DROPPED}
    assert kinds(result, "course.first_diploma_only") == {FindingKind.FLAGGED}
    assert kinds(result, "course.status") == {FindingKind.FLAGGED}
    assert unaccounted_fields(result.report, reg, "registration", skip_defaults=False) == ()
    assert unaccounted_fields(result.report, course, "course", skip_defaults=False) == ()


def test_extra_crosswalk_file(
    tmp_path: Path, make_reg: Reg, make_course: Reg, rules: RuleBook
) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "# status: confirmed\n# source: test rows\n# valid_from: 2023-09-01\n"
        "odb_number,recognition_reference,course_type,raised_cap_reason,provider_recognised,title_fr,note\n"
        "CE-555555,BEE-2025-09999,language,job-related-language,true,,\n"
        "CE-100235,BEE-2025-09998,general-union,,false,,override\n",
        encoding="utf-8",
    )
    walk = Crosswalk.load(extra, environ={})
    result = vov_to_bev(make_reg(), make_course(), rules, walk)
    assert result.record.recognition_reference == "BEE-2025-09998"
    assert result.record.hours_cap == D("80.00")
    assert kinds(result, "course.course_type") == {FindingKind.FLAGGED}  # ODB says professional
    assert walk.lookup("CE-555555") is not None


def test_bad_crosswalk_rows_all_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "# status: confirmed\n# source: test\n# valid_from: 2023-09-01\n"
        "odb_number,recognition_reference,course_type,raised_cap_reason,provider_recognised\n"
        "nope,BEE-1,cooking,lazy,maybe\n"
        "CE-100001,BEE-2024-00001,language,,true\n"
        "CE-100001,BEE-2024-00002,language,,true\n",
        encoding="utf-8",
    )
    with pytest.raises(BrugValidationError) as info:
        Crosswalk.load(bad, environ={})
    rules_hit = [v.rule for v in info.value.violations]
    assert rules_hit == [
        "crosswalk.odb-number",
        "crosswalk.reference",
        "crosswalk.course-type",
        "crosswalk.raised-cap-reason",
        "crosswalk.boolean",
        "crosswalk.duplicate",
    ]
    assert info.value.violations[0].path.endswith("bad.csv:5:odb_number")


def test_shipped_crosswalk_covers_every_course_type(crosswalk: Crosswalk) -> None:
    entries = crosswalk.entries()
    assert len(entries) >= 20
    assert {e.course_type for e in entries} == set(
        __import__("gateway.models", fromlist=["BevCourseType"]).BevCourseType
    )


# --- a course over two school years: hours split, each year's cap and window (issue 14) ----


def _split_finding(result: Any) -> Any:
    (finding,) = [
        f
        for f in result.report.for_field("record.hours_claimable")
        if f.kind is FindingKind.FLAGGED
    ]
    return finding


def test_a_course_over_two_school_years_claims_its_start_years_share(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(start_date="2023-09-01", end_date="2025-06-30", contact_hours="300.00")
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    record = result.record
    assert record.school_year == "2023-2024"
    assert record.hours_cap == D("100.00")
    assert record.hours_claimable == D("100.00")  # min(164.13 h share, 100 h cap)
    message = _split_finding(result).message
    assert "164.13 h in 2023-2024" in message
    assert "135.87 h in 2024-2025" in message
    assert "refund window 2025-09-01..2025-12-31" in message  # the later share's own


def test_a_course_starting_late_august_claims_only_its_august_days(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(start_date="2024-08-26", end_date="2025-02-26", contact_hours="100.00")
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert result.record.hours_claimable == D("3.24")
    assert result.record.refund_window_end == date(2024, 12, 31)
    assert "96.76 h in 2024-2025" in _split_finding(result).message


def test_a_later_share_without_rule_data_is_flagged_for_review(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(start_date="2026-09-01", end_date="2028-10-31", contact_hours="200.00")
    message = _split_finding(vov_to_bev(reg, make_course(), rules, crosswalk)).message
    assert "no BEV rule data for that year, review" in message
    assert "More than two school years: review." in message


def test_a_course_within_one_school_year_is_not_split(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    reg = make_reg(start_date="2024-09-01", end_date="2025-08-31")  # first and last day
    result = vov_to_bev(reg, make_course(), rules, crosswalk)
    assert result.record.hours_claimable == D("100.00")
    assert not result.report.for_field("record.hours_claimable")


def test_mapping_report_says_why_it_is_provisional(
    make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = vov_to_bev(
        make_reg(prior_use=[{"region": "flanders", "hours": "10"}]), make_course(), rules, crosswalk
    )
    text = " | ".join(result.report.provisional)
    assert "crosswalk row crosswalk.csv:" in text and "is sample data" in text
    assert "bev.flat_rate_eur (2024-09-01..2027-08-31) is assumed" in text
    assert "same course" in text
    assert result.report.as_dict()["provisional"] == list(result.report.provisional)


def test_a_confirmed_row_in_2023_24_leaves_only_the_caps_assumption(
    tmp_path: Path, make_reg: Reg, make_course: Reg, rules: RuleBook
) -> None:
    real = tmp_path / "real.csv"
    real.write_text(
        "# status: confirmed\n# source: BEE (test)\n# valid_from: 2023-09-01\n"
        "# valid_to: 2024-08-31\n"
        "odb_number,recognition_reference,course_type,raised_cap_reason,provider_recognised\n"
        "CE-100235,BEE-2023-01022,professional,,true\n",
        encoding="utf-8",
    )
    walk = Crosswalk.load(real, environ={}, include_shipped=False)
    reg = make_reg(start_date="2023-10-01", end_date="2024-06-30")
    (reason,) = vov_to_bev(reg, make_course(), rules, walk).report.provisional
    assert reason.startswith("bev.caps")
    late = make_reg(start_date="2024-10-01", end_date="2025-06-30")
    reasons = vov_to_bev(late, make_course(), rules, walk).report.provisional
    assert any("is valid 2023-09-01..2024-08-31, not on 2024-10-01" in r for r in reasons)


@pytest.mark.parametrize(("contact", "claimable"), [("32.00", "32.00"), ("31.99", "0.00")])
def test_bev_minimum_32_contact_hours(
    make_reg: Reg,
    make_course: Reg,
    rules: RuleBook,
    crosswalk: Crosswalk,
    contact: str,
    claimable: str,
) -> None:
    result = vov_to_bev(make_reg(contact_hours=contact), make_course(), rules, crosswalk)
    assert result.record.hours_claimable == D(claimable)
