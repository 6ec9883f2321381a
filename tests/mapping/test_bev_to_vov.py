from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import bev_to_vov, vov_to_bev
from gateway.errors import BrugValidationError
from gateway.mapping import FindingKind, unaccounted_fields
from gateway.models import BevRecord, Employment, EstablishmentUnit, PriorUse, Region
from gateway.rules.ruledata import RuleBook

D = Decimal
Reg = Callable[..., Any]
FLEMISH = EstablishmentUnit(number="3000001053", region=Region.FLANDERS)


@pytest.fixture
def bev(make_reg: Reg, make_course: Reg, rules: RuleBook, crosswalk: Crosswalk) -> BevRecord:
    reg = make_reg(prior_use=[{"region": "flanders", "hours": "20"}])
    return vov_to_bev(reg, make_course(), rules, crosswalk).record


def test_brussels_hours_become_prior_use(
    bev: BevRecord, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = bev_to_vov(bev, crosswalk, rules, establishment_unit=FLEMISH)
    reg = result.record
    assert reg.prior_use == (
        PriorUse(region=Region.BRUSSELS, hours=D("80.00")),
        PriorUse(region=Region.FLANDERS, hours=D("20.00")),
    )
    assert reg.odb_number == "CE-100235"
    assert reg.establishment_unit == FLEMISH
    assert reg.registration_id == "vov-bev-VOV-2024-000123"
    assert not reg.joint_initiative
    assert result.report.rule_data_version == "vov-2026.12.1"
    assert unaccounted_fields(result.report, bev, "record", skip_defaults=False) == ()


def test_flemish_fraction_and_cap_are_not_copied(
    bev: BevRecord, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = bev_to_vov(bev, crosswalk, rules, establishment_unit=FLEMISH)
    (employment,) = result.report.for_field("record.employment")
    assert employment.kind is FindingKind.FLAGGED and "2024-03" in employment.message
    (cap,) = result.report.for_field("record.hours_cap")
    assert cap.kind is FindingKind.NOT_APPLICABLE and "recomputes" in cap.message
    march = Employment(fraction=D("0.8"), reference_month="2024-03")
    again = bev_to_vov(bev, crosswalk, rules, establishment_unit=FLEMISH, employment=march)
    assert again.record.employment == march
    assert again.report.for_field("record.employment")[0].kind is FindingKind.RECOMPUTED


def test_missing_flemish_unit_flagged(
    bev: BevRecord, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    result = bev_to_vov(bev, crosswalk, rules)
    assert result.record.establishment_unit == bev.establishment_unit
    assert result.report.for_field("record.establishment_unit")[0].kind is FindingKind.FLAGGED


def test_violations_collected(bev: BevRecord, rules: RuleBook, crosswalk: Crosswalk) -> None:
    unknown = bev.model_copy(update={"recognition_reference": "BEE-2020-77777"})
    brussels = EstablishmentUnit(number="2123456001", region=Region.BRUSSELS)
    with pytest.raises(BrugValidationError) as info:
        bev_to_vov(unknown, crosswalk, rules, establishment_unit=brussels, registration_id="a b")
    assert {v.rule for v in info.value.violations} == {
        "route.not-flanders",
        "crosswalk.unknown-course",
        "type.string_pattern_mismatch",
    }


def test_carried_odb_number_disagreeing_is_flagged(
    bev: BevRecord, rules: RuleBook, crosswalk: Crosswalk
) -> None:
    odd = bev.model_copy(update={"odb_number": "CE-100777"})
    result = bev_to_vov(odd, crosswalk, rules, establishment_unit=FLEMISH)
    assert result.record.odb_number == "CE-100235"
    assert result.report.for_field("record.odb_number")[0].kind is FindingKind.FLAGGED
