"""Properties of the mappings over generated records (tests/strategies.py)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import bev_to_vov, vov_to_bev
from adapters.federal.codes import CodeTable
from adapters.federal.vok import check_vok
from gateway.errors import BrugValidationError
from gateway.mapping import FindingKind, unaccounted_fields
from gateway.models import (
    BevRecord,
    CareerBreakRecord,
    EstablishmentUnit,
    OdbCourse,
    Period,
    Reduction,
    Region,
    VovRegistration,
    Worker,
)
from gateway.rules.ruledata import RuleBook
from tests.mapping.conftest import COURSE, INSZ
from tests.strategies import odb_courses, vov_registrations

RULES = RuleBook.load([], environ={})
RULES_UNCONFIRMED = RuleBook.load([], include_unconfirmed=True, environ={})
CROSSWALK = Crosswalk.load([], environ={})
CODES = CodeTable.load(environ={})
ENTRIES = CROSSWALK.entries()
FLEMISH = EstablishmentUnit(number="3000001053", region=Region.FLANDERS)


@st.composite
def mappable(draw: st.DrawFn) -> tuple[VovRegistration, OdbCourse, RuleBook]:
    """A Brussels registration for a crosswalked course in a school year BEV data covers."""
    year = draw(st.integers(min_value=2023, max_value=2026))
    reg = draw(vov_registrations(region=Region.BRUSSELS, school_year=year))
    entry = draw(st.sampled_from(ENTRIES))
    reg = VovRegistration.model_validate({**reg.model_dump(), "odb_number": entry.odb_number})
    course = draw(odb_courses(odb_number=entry.odb_number))
    rules = draw(st.sampled_from([RULES, RULES_UNCONFIRMED]))
    return reg, course, rules


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mappable())
def test_claimable_within_cap_and_never_negative(
    case: tuple[VovRegistration, OdbCourse, RuleBook],
) -> None:
    reg, course, rules = case
    record = vov_to_bev(reg, course, rules, CROSSWALK).record
    assert Decimal(0) <= record.hours_claimable <= record.hours_cap
    assert record.hours_claimable <= reg.contact_hours
    assert record.hours_claimable <= max(Decimal(0), record.hours_cap - record.hours_already_used)
    assert record.hours_cap <= Decimal(180)


@SETTINGS
@given(mappable())
def test_output_is_a_valid_bev_record(case: tuple[VovRegistration, OdbCourse, RuleBook]) -> None:
    reg, course, rules = case
    record = vov_to_bev(reg, course, rules, CROSSWALK).record
    assert BevRecord.model_validate(record.model_dump()) == record
    assert BevRecord.model_validate_json(record.model_dump_json()) == record


@SETTINGS
@given(mappable())
def test_every_source_field_accounted(case: tuple[VovRegistration, OdbCourse, RuleBook]) -> None:
    reg, course, rules = case
    report = vov_to_bev(reg, course, rules, CROSSWALK).report
    assert unaccounted_fields(report, reg, "registration") == ()
    assert unaccounted_fields(report, course, "course") == ()
    assert all(isinstance(f.kind, FindingKind) and f.message for f in report.findings)


@SETTINGS
@given(mappable())
def test_deterministic(case: tuple[VovRegistration, OdbCourse, RuleBook]) -> None:
    reg, course, rules = case
    assert vov_to_bev(reg, course, rules, CROSSWALK) == vov_to_bev(reg, course, rules, CROSSWALK)


@SETTINGS
@given(mappable())
def test_round_trip_carries_hours(case: tuple[VovRegistration, OdbCourse, RuleBook]) -> None:
    reg, course, rules = case
    bev = vov_to_bev(reg, course, rules, CROSSWALK).record
    back = bev_to_vov(bev, CROSSWALK, rules, establishment_unit=FLEMISH)
    assert back.record.start_date == reg.start_date
    assert back.record.contact_hours == reg.contact_hours
    assert (
        sum(p.hours for p in back.record.prior_use) == bev.hours_claimable + bev.hours_already_used
    )
    assert unaccounted_fields(back.report, bev, "record") == ()
    assert back.record.start_date >= date(2023, 9, 1)


# --- a decision never uses a figure outside its validity (issue 14) -------------------------


def _premiums_valid_on(day: date) -> list[dict[Reduction, Decimal]]:
    return [
        entry.value
        for layer in RULES.layers
        if layer.file.scheme == "vok"
        for entry in layer.file.premium_eur  # type: ignore[union-attr]
        if entry.covers(day)
    ]


@SETTINGS
@given(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2028, 6, 30)),
    st.integers(min_value=0, max_value=500),
    st.sampled_from(["1", "2", "3"]),
)
def test_each_vok_month_is_paid_with_the_amount_valid_that_month(
    begin: date, days: int, code: str
) -> None:
    end = begin + timedelta(days=days)
    credit = CareerBreakRecord.model_validate(
        {
            "source": "RVA",
            "insz": INSZ,
            "period": {"begin": begin.isoformat(), "end": end.isoformat()},
            "category": {"code": "1"},
            "reduction": {"code": code},
            "reason": {"code": "5"},
        }
    )
    course = OdbCourse.model_validate(
        {**COURSE, "volume": {"amount": "999", "unit": "hours"}, "valid_from": "2015-01-01"}
    )
    try:
        decision = check_vok(
            [credit], course, Worker(insz=INSZ), Period(begin=begin, end=end), RULES, CODES
        )
    except BrugValidationError as exc:
        assert begin > date(2027, 8, 31)  # nothing covered at all: refused, never guessed
        assert exc.violations[0].rule == "rules.unknown-school-year"
        return
    for month in decision.months:
        if month.first_day > date(2027, 8, 31):
            assert not month.eligible
            assert {c.rule for c in month.failed} >= {"vok.rule-data"}
            continue
        if month.eligible:
            assert month.reduction is not None
            valid = [p[month.reduction] for p in _premiums_valid_on(month.first_day)]
            assert month.monthly_premium_eur in valid
