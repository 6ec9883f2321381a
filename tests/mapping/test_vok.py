from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.federal.codes import CodeTable
from adapters.federal.vok import check_vok
from gateway.errors import BrugValidationError
from gateway.models import (
    CareerBreakRecord,
    Employer,
    EstablishmentUnit,
    OdbCourse,
    Period,
    Reduction,
    Region,
    Worker,
)
from gateway.rules.ruledata import RuleBook

from .conftest import COURSE, INSZ, KBO, _merge

D = Decimal
PERIOD = Period(begin=date(2024, 9, 1), end=date(2025, 6, 30))
OTHER_INSZ = "90010100123"


def record(**overrides: Any) -> CareerBreakRecord:
    base: dict[str, Any] = {
        "source": "RVA",
        "dossier_number": "D-1",
        "insz": INSZ,
        "period": {"begin": "2024-09-01", "end": "2025-08-31"},
        "category": {"code": "1"},
        "reduction": {"code": "1"},
        "reason": {"code": "5"},
    }
    return CareerBreakRecord.model_validate(_merge(base, overrides))


def course(**overrides: Any) -> OdbCourse:
    return OdbCourse.model_validate(_merge(COURSE, {"volume": {"amount": "400"}, **overrides}))


def worker(**overrides: Any) -> Worker:
    return Worker.model_validate({"insz": INSZ, "education_level": "medium", **overrides})


def failed(decision: Any) -> set[str]:
    return {c.rule for c in decision.checks if not c.passed}


def run(rules: RuleBook, codes: CodeTable, records: Any = None, **kw: Any) -> Any:
    return check_vok(
        [record()] if records is None else records,
        kw.pop("course", course()),
        kw.pop("worker", worker()),
        kw.pop("period", PERIOD),
        rules,
        codes,
        **kw,
    )


def test_eligible_full_time(rules: RuleBook, codes: CodeTable) -> None:
    decision = run(rules, codes, contract_months=24)
    assert decision.eligible, [c for c in decision.checks if not c.passed]
    assert decision.reduction is Reduction.FULL
    assert decision.monthly_premium_eur == D("589.48")
    assert decision.single_supplement_eur is None
    assert decision.career_break_dossier == "D-1"
    assert decision.rule_data_version == "vok-2026.12.1+federal-codes-sample-2026.1"
    assert len({c.rule for c in decision.checks}) == len(decision.checks) == 16


@pytest.mark.parametrize(
    ("code", "reduction", "amount"),
    [
        ("1", Reduction.FULL, "589.48"),
        ("2", Reduction.HALF, "312.24"),
        ("3", Reduction.ONE_FIFTH, "175.03"),
    ],
)
def test_each_reduction(
    rules: RuleBook, codes: CodeTable, code: str, reduction: Reduction, amount: str
) -> None:
    decision = run(rules, codes, [record(reduction={"code": code})])
    assert decision.eligible
    assert decision.reduction is reduction
    assert decision.monthly_premium_eur == D(amount)


def test_single_supplement(rules: RuleBook, codes: CodeTable) -> None:
    decision = run(rules, codes, worker=worker(lives_alone=True))
    assert decision.single_supplement_eur == D("51.81")
    assert decision.monthly_premium_eur == D("589.48")
    assert {m.amount_eur for m in decision.months} == {D("641.29")}


def test_one_fifth_not_before_2019_20(rules: RuleBook, codes: CodeTable) -> None:
    period = Period(begin=date(2019, 3, 1), end=date(2019, 6, 30))
    records = [record(reduction={"code": "3"}, period={"begin": "2019-01-01", "end": "2019-08-31"})]
    decision = run(rules, codes, records, period=period, course=course(valid_from="2015-01-01"))
    assert failed(decision) == {"vok.reduction"}


@pytest.mark.parametrize(
    ("records_kw", "expected"),
    [
        ({"source": "Vlaanderen"}, "vok.source-rva"),
        ({"category": {"code": "4"}}, "vok.time-credit"),
        ({"reason": {"code": "1"}}, "vok.training-motive"),
        ({"reason": None}, "vok.training-motive"),
        ({"period": {"begin": "2025-07-01", "end": "2025-08-31"}}, "vok.covers-period"),
        ({"reduction": {"code": "9"}}, "vok.reduction"),
        ({"insz": OTHER_INSZ}, "vok.records-for-worker"),
    ],
)
def test_each_failing_career_break_rule(
    rules: RuleBook, codes: CodeTable, records_kw: dict[str, Any], expected: str
) -> None:
    decision = run(rules, codes, [record(**records_kw)])
    assert not decision.eligible
    assert expected in failed(decision)
    assert decision.monthly_premium_eur is None


@pytest.mark.parametrize(
    ("course_kw", "expected"),
    [
        ({"incentives": {"vok": False}}, "vok.course-incentive"),
        ({"incentives": {"vov": False}}, "vok.course-vov-eligible"),
        ({"qualifying": False}, "vok.course-kind"),
        ({"status": "stopped"}, "vok.course-active"),
        ({"valid_from": "2025-07-01"}, "vok.course-active"),
        ({"volume": {"amount": "300"}}, "vok.course-volume"),
        ({"volume": {"amount": "20", "unit": "study-points"}}, "vok.course-volume"),
    ],
)
def test_each_failing_course_rule(
    rules: RuleBook, codes: CodeTable, course_kw: dict[str, Any], expected: str
) -> None:
    decision = run(rules, codes, course=course(**course_kw))
    assert failed(decision) == {expected}


def test_course_kind_alternatives(rules: RuleBook, codes: CodeTable) -> None:
    for kind in ("bottleneck_occupation", "entrepreneurship"):
        decision = run(rules, codes, course=course(qualifying=False, **{kind: True}))
        assert decision.eligible


def test_volume_exception_for_basic_education(rules: RuleBook, codes: CodeTable) -> None:
    # one year, 4 quarters: 300 h is 75 h a quarter and below 360 h a year, unless reduced
    year = Period(begin=date(2024, 9, 1), end=date(2025, 8, 31))
    plain = run(rules, codes, period=year, course=course(volume={"amount": "300"}))
    assert failed(plain) == {"vok.course-volume"}
    for kind in ("basic-education", "secondary-diploma"):
        decision = run(
            rules, codes, period=year, course=course(volume={"amount": "300"}, course_type=kind)
        )
        assert decision.eligible, kind


def test_volume_quarterly(rules: RuleBook, codes: CodeTable) -> None:
    quarter = Period(begin=date(2024, 9, 1), end=date(2024, 11, 30))
    assert run(rules, codes, period=quarter, course=course(volume={"amount": "120"})).eligible
    assert not run(
        rules, codes, period=quarter, course=course(volume={"amount": "119.99"})
    ).eligible
    assert run(
        rules, codes, period=quarter, course=course(volume={"amount": "9", "unit": "study-points"})
    ).eligible


def test_education_level_and_pop(rules: RuleBook, codes: CodeTable) -> None:
    high = worker(education_level="high")
    assert failed(run(rules, codes, worker=high)) == {"vok.education-level"}
    assert run(rules, codes, worker=high, in_pop=True).eligible
    unknown = run(rules, codes, worker=Worker(insz=INSZ))
    assert unknown.eligible
    check = next(c for c in unknown.checks if c.rule == "vok.education-level")
    assert check.message.startswith("not evaluated")


def test_contract_sector_region(rules: RuleBook, codes: CodeTable) -> None:
    assert failed(run(rules, codes, contract_months=11)) == {"vok.contract"}
    public = Employer(kbo=KBO, name="Stad", sector="public")  # type: ignore[arg-type]
    assert failed(run(rules, codes, employer=public)) == {"vok.private-sector"}
    brussels = EstablishmentUnit(number="2123456001", region=Region.BRUSSELS)
    assert failed(run(rules, codes, establishment_unit=brussels)) == {"vok.flemish-region"}
    flemish = EstablishmentUnit(number="3000001053", region=Region.FLANDERS)
    assert run(rules, codes, establishment_unit=flemish, contract_months=12).eligible


def test_six_months_retroactive(rules: RuleBook, codes: CodeTable) -> None:
    assert run(rules, codes, applied_on=date(2025, 12, 31)).eligible  # period ends 2025-06-30
    late = run(rules, codes, applied_on=date(2026, 1, 1))
    assert failed(late) == {"vok.retroactive-limit"}


def test_unknown_date(rules: RuleBook, codes: CodeTable) -> None:
    with pytest.raises(BrugValidationError) as info:
        run(rules, codes, period=Period(begin=date(2018, 1, 1), end=date(2018, 6, 30)))
    assert info.value.violations[0].rule == "rules.unknown-school-year"


def test_deterministic_choice_among_records(rules: RuleBook, codes: CodeTable) -> None:
    a = record(dossier_number="B", reduction={"code": "2"})
    b = record(dossier_number="A", reduction={"code": "3"})
    assert run(rules, codes, [a, b]) == run(rules, codes, [b, a])
    assert run(rules, codes, [a, b]).career_break_dossier == "A"


def test_code_table_is_configurable(tmp_path: Path, rules: RuleBook, codes: CodeTable) -> None:
    assert not codes.confirmed
    table = tmp_path / "codes.toml"
    table.write_text(
        'version = "real-1"\nconfirmed = true\nsource = "RVA"\nvalid_from = 2019-01-01\n'
        '[categories]\n"1" = { kind = "time-credit" }\n'
        '[reductions]\n"10" = { reduction = "full" }\n'
        '[reasons]\n"42" = { training = true }\n',
        encoding="utf-8",
    )
    real = CodeTable.load(table)
    assert not run(rules, real).eligible  # reason 5 is no longer training
    decision = run(rules, real, [record(reason={"code": "42"}, reduction={"code": "10"})])
    assert decision.eligible and decision.rule_data_version.endswith("real-1")
    assert CodeTable.load(environ={"BRUG_FEDERAL_CODES": str(table)}).version == "real-1"


def test_bad_code_table(tmp_path: Path) -> None:
    table = tmp_path / "codes.toml"
    table.write_text('version = "x"\nconfirmed = "maybe"\n', encoding="utf-8")
    with pytest.raises(BrugValidationError) as info:
        CodeTable.load(table)
    assert len(info.value.violations) >= 4


def test_unknown_facts_make_an_eligible_decision_provisional() -> None:
    """Rules whose facts are missing are not held against the worker but are never 'passed'."""
    from adapters.federal.codes import CodeTable
    from adapters.federal.vok import check_vok
    from gateway.cli._inputs import read_career_breaks, read_course
    from gateway.models import Period, Worker
    from gateway.rules.ruledata import RuleBook

    examples = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples"
    breaks = read_career_breaks(examples / "career-breaks.json")
    decision = check_vok(
        breaks.records,
        read_course(examples / "odb-course-vok.json"),
        Worker(insz=breaks.insz),
        Period(begin=breaks.records[0].period.begin, end=breaks.records[0].period.end),
        RuleBook.load([], environ={}),
        CodeTable.load(environ={}),
    )
    assert decision.eligible
    assert not decision.complete
    unchecked = {c.rule for c in decision.checks if not c.evaluated}
    assert {"vok.education-level", "vok.contract", "vok.retroactive-limit"} <= unchecked
    assert all(c.passed for c in decision.checks if not c.evaluated)
