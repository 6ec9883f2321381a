"""VOK decided per month (issue 14): each month of overlap between the training time credit and
the period, its amount, and for a refused month the rule that refused it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.federal.codes import CodeTable
from gateway.models import Period, Region
from gateway.models.parties import Sector
from gateway.rules.ruledata import RuleBook

from .test_vok import course, record, run, worker

D = Decimal


def months(decision: Any) -> dict[str, Any]:
    return {m.month: m for m in decision.months}


def refused_by(month: Any) -> set[str]:
    return {c.rule for c in month.failed}


def test_a_credit_shorter_than_the_period_decides_each_month(
    rules: RuleBook, codes: CodeTable
) -> None:
    credit = record(period={"begin": "2024-10-01", "end": "2025-08-31"})
    decision = run(rules, codes, [credit])
    by_month = months(decision)
    assert list(by_month) == [f"2024-{m:02d}" for m in (9, 10, 11, 12)] + [
        f"2025-{m:02d}" for m in range(1, 7)
    ]
    assert not by_month["2024-09"].eligible
    assert refused_by(by_month["2024-09"]) == {"vok.covers-month"}
    assert all(by_month[m].eligible for m in list(by_month)[1:])
    assert decision.eligible
    assert decision.total_eur == D("589.48") * 9


def test_a_credit_starting_mid_month_gives_that_month_and_says_it_is_partial(
    rules: RuleBook, codes: CodeTable
) -> None:
    credit = record(period={"begin": "2024-10-15", "end": "2025-08-31"})
    decision = run(rules, codes, [credit])
    october = months(decision)["2024-10"]
    assert october.eligible and october.amount_eur == D("589.48")
    assert any("partial month(s) 2024-10" in r for r in decision.provisional_reasons)


def test_the_reduction_and_amount_follow_each_month(rules: RuleBook, codes: CodeTable) -> None:
    full = record(dossier_number="A", period={"begin": "2024-09-01", "end": "2024-12-31"})
    half = record(
        dossier_number="B",
        reduction={"code": "2"},
        period={"begin": "2025-01-01", "end": "2025-06-30"},
    )
    by_month = months(run(rules, codes, [half, full]))
    assert by_month["2024-12"].reduction == "full"
    assert by_month["2024-12"].monthly_premium_eur == D("589.48")
    assert by_month["2025-01"].reduction == "half"
    assert by_month["2025-01"].monthly_premium_eur == D("312.24")
    assert by_month["2025-01"].career_break_dossier == "B"


def test_amounts_change_on_2021_09_01(rules: RuleBook, codes: CodeTable) -> None:
    period = Period(begin=date(2021, 7, 1), end=date(2021, 10, 31))
    credit = record(period={"begin": "2021-07-01", "end": "2021-10-31"})
    decision = run(rules, codes, [credit], period=period, course=course(volume={"amount": "240"}))
    by_month = months(decision)
    assert by_month["2021-08"].monthly_premium_eur == D("566.62")
    assert by_month["2021-09"].monthly_premium_eur == D("589.48")
    assert decision.total_eur == D("566.62") * 2 + D("589.48") * 2


def test_retroactive_limit_refuses_the_old_months_only(rules: RuleBook, codes: CodeTable) -> None:
    decision = run(rules, codes, applied_on=date(2025, 9, 15))  # limit 2025-03-15
    by_month = months(decision)
    assert refused_by(by_month["2025-02"]) == {"vok.retroactive-limit"}
    assert by_month["2025-03"].eligible  # the limit falls inside March
    assert decision.eligible


def test_a_rule_of_the_decision_refuses_every_month(rules: RuleBook, codes: CodeTable) -> None:
    decision = run(rules, codes, sector=Sector.PUBLIC)
    assert not decision.eligible and decision.total_eur is None
    assert all(refused_by(m) == {"vok.private-sector"} for m in decision.months)
    decision = run(rules, codes, region=Region.BRUSSELS)
    assert all(refused_by(m) == {"vok.flemish-region"} for m in decision.months)


def test_sample_codes_and_missing_facts_make_the_decision_provisional(
    rules: RuleBook, codes: CodeTable
) -> None:
    decision = run(rules, codes)
    assert decision.eligible and decision.provisional
    text = " | ".join(decision.provisional_reasons)
    assert "federal code table federal-codes-sample-2026.1 is sample" in text
    assert "not evaluated, facts not given: vok.education-level" not in text  # level given
    assert "vok.contract" in text and "vok.private-sector" in text
    assert "vok.premium_eur" in text and "is assumed" in text  # 2024-25: carried amounts


def test_confirmed_data_and_every_fact_give_a_final_decision(
    tmp_path: Path, rules: RuleBook
) -> None:
    table = tmp_path / "codes.toml"
    table.write_text(
        'version = "real-1"\nstatus = "confirmed"\nsource = "RVA code list"\n'
        "valid_from = 2019-01-01\n"
        '[categories]\n"1" = { kind = "time-credit" }\n'
        '[reductions]\n"1" = { reduction = "full" }\n'
        '[reasons]\n"5" = { training = true }\n',
        encoding="utf-8",
    )
    period = Period(begin=date(2019, 9, 1), end=date(2019, 11, 30))
    credit = record(period={"begin": "2019-09-01", "end": "2019-11-30"})
    decision = run(
        rules,
        CodeTable.load(table),
        [credit],
        period=period,
        course=course(volume={"amount": "120"}, valid_from="2019-01-01"),
        worker=worker(),
        contract_months=24,
        sector=Sector.PRIVATE,
        region=Region.FLANDERS,
        applied_on=date(2019, 12, 1),
    )
    assert decision.eligible and decision.complete
    assert decision.provisional_reasons == ()
    assert not decision.provisional
    assert decision.total_eur == D("566.62") * 3


def test_a_month_outside_the_code_table_validity_is_refused(
    tmp_path: Path, rules: RuleBook
) -> None:
    table = tmp_path / "codes.toml"
    table.write_text(
        'version = "real-2"\nstatus = "confirmed"\nsource = "RVA"\n'
        "valid_from = 2025-01-01\n"
        '[categories]\n"1" = { kind = "time-credit" }\n'
        '[reductions]\n"1" = { reduction = "full" }\n'
        '[reasons]\n"5" = { training = true }\n',
        encoding="utf-8",
    )
    by_month = months(run(rules, CodeTable.load(table)))
    assert refused_by(by_month["2024-12"]) == {"vok.code-table"}
    assert by_month["2025-01"].eligible


@pytest.mark.parametrize(
    ("code", "worked_before", "amount"),
    [
        ("1", "1.0000", "589.48"),
        ("1", "0.7500", "589.48"),  # >= 75 % before, 0 % during
        ("1", "0.7499", "312.24"),  # >= 50 % before, 0 % during
        ("1", "0.5000", "312.24"),
        ("1", "0.4999", "175.03"),  # 20-50 % before, 0 % during
        ("1", "0.2000", "175.03"),
        ("1", "0.1999", None),  # no amount in the sources
        ("2", "0.7500", "312.24"),  # >= 75 % before, 50 % during
        ("2", "0.7499", None),
        ("3", "0.7500", "175.03"),  # >= 75 % before, 80 % during
        ("3", "0.5000", None),
    ],
)
def test_the_amount_follows_the_work_before_the_break(
    rules: RuleBook, codes: CodeTable, code: str, worked_before: str, amount: str | None
) -> None:
    decision = run(rules, codes, [record(reduction={"code": code})], worked_before=D(worked_before))
    first = decision.months[0]
    if amount is None:
        assert not decision.eligible
        assert refused_by(first) == {"vok.previous-work"}
    else:
        assert first.monthly_premium_eur == D(amount)
        assert not any("at least 75%" in r for r in decision.provisional_reasons)


def test_before_2021_09_the_amount_follows_the_reduction_only(
    rules: RuleBook, codes: CodeTable
) -> None:
    period = Period(begin=date(2020, 9, 1), end=date(2020, 11, 30))
    credit = record(period={"begin": "2020-09-01", "end": "2020-11-30"})
    decision = run(
        rules,
        codes,
        [credit],
        period=period,
        course=course(volume={"amount": "120"}),
        worked_before=D("0.1000"),
    )
    assert decision.eligible and decision.monthly_premium_eur == D("566.62")
