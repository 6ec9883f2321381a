from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.errors import BrugValidationError
from gateway.rules.ruledata import (
    ENV_INCLUDE_UNCONFIRMED,
    ENV_RULES_DIR,
    UNKNOWN_SCHOOL_YEAR,
    RuleBook,
)


def test_every_school_year_2019_to_2026_has_vov_data(rules: RuleBook) -> None:
    for first in range(2019, 2027):
        view = rules.vov(f"{first}-{first + 1}")
        assert view.cap_hours == Decimal("125.00")
        assert view.version == "vov-2026.12.1"


@pytest.mark.parametrize(
    ("scheme", "school_year", "rate"),
    [
        ("vov", "2019-2020", "21.30"),
        ("vov", "2024-2025", "21.30"),
        ("vov", "2025-2026", "21.30"),  # the cut to 14.91 is unconfirmed
        ("bev", "2023-2024", "22.07"),
        ("bev", "2026-2027", "22.07"),
    ],
)
def test_flat_rate_per_region_and_year(
    rules: RuleBook, scheme: str, school_year: str, rate: str
) -> None:
    view = rules.vov(school_year) if scheme == "vov" else rules.bev(school_year)
    assert view.flat_rate_eur == Decimal(rate)


def test_unconfirmed_values_not_applied_by_default(rules: RuleBook) -> None:
    view = rules.vov("2025-2026")
    assert view.flat_rate_eur == Decimal("21.30")
    assert view.min_fraction == Decimal("0.50")
    assert view.min_weekly_hours is None
    assert view.joint_initiative_extra_hours is None  # continuation after 2023-24 unconfirmed
    assert view.unconfirmed == ()


def test_unconfirmed_values_applied_when_enabled(rules_unconfirmed: RuleBook) -> None:
    view = rules_unconfirmed.vov("2025-2026")
    assert view.flat_rate_eur == Decimal("14.91")
    assert view.min_fraction == Decimal("0.80")
    assert view.min_weekly_hours == Decimal("28")
    assert "flat_rate_eur" in view.unconfirmed
    assert "min_fraction" in view.unconfirmed
    # earlier years keep their confirmed figures
    assert rules_unconfirmed.vov("2024-2025").flat_rate_eur == Decimal("21.30")


def test_unconfirmed_switch_from_environment() -> None:
    book = RuleBook.load(environ={ENV_INCLUDE_UNCONFIRMED: "1"})
    assert book.vov("2025-2026").flat_rate_eur == Decimal("14.91")
    assert RuleBook.load(environ={}).vov("2025-2026").flat_rate_eur == Decimal("21.30")


def test_fraction_reference_before_2023_is_an_assumption(
    rules: RuleBook, rules_unconfirmed: RuleBook
) -> None:
    assert rules.vov("2022-2023").fraction_reference is None
    assert rules_unconfirmed.vov("2022-2023").fraction_reference == "september-or-start-month"
    assert rules.vov("2023-2024").fraction_reference == "march-before"


def test_wage_caps(rules: RuleBook) -> None:
    assert rules.vov("2024-2025").wage_cap_month_eur == Decimal("3641.00")
    assert rules.vov("2025-2026").wage_cap_month_eur == Decimal("3714.00")
    assert rules.vov("2022-2023").wage_cap_month_eur is None  # no figure in the data


@pytest.mark.parametrize(
    ("scheme", "school_year"),
    [("vov", "2018-2019"), ("vov", "2027-2028"), ("bev", "2022-2023"), ("bev", "2027-2028")],
)
def test_unknown_school_year(rules: RuleBook, scheme: str, school_year: str) -> None:
    with pytest.raises(BrugValidationError) as info:
        rules.vov(school_year) if scheme == "vov" else rules.bev(school_year)
    (violation,) = info.value.violations
    assert violation.rule == UNKNOWN_SCHOOL_YEAR
    assert violation.value == school_year
    assert violation.path == "school_year"


def test_unknown_vok_date(rules: RuleBook) -> None:
    with pytest.raises(BrugValidationError) as info:
        rules.vok(date(2018, 12, 31))
    assert info.value.violations[0].rule == UNKNOWN_SCHOOL_YEAR
    assert info.value.violations[0].value == "2018-12-31"


def test_vok_one_fifth_allowed_since_2019_20(rules: RuleBook) -> None:
    assert "one-fifth" not in rules.vok(date(2019, 8, 31)).allowed_reductions
    assert "one-fifth" in rules.vok(date(2019, 9, 1)).allowed_reductions


NEXT_YEAR = """
scheme = "bev"
version = "bev-2027.1"
source = "test: next year's figures"
status = "confirmed"
coverage = { from = "2027-2028", to = "2027-2028" }

[[flat_rate_eur]]
from = "2027-2028"
to = "2027-2028"
source = "test: next year's indexed rate"
value = "22.50"

[[min_fraction]]
from = "2027-2028"
to = "2027-2028"
source = "test: next year's threshold"
value = "0.25"

[[fraction_reference]]
from = "2027-2028"
to = "2027-2028"
source = "test"
value = "september-or-start-month"

[[min_contact_hours]]
from = "2027-2028"
to = "2027-2028"
source = "test"
value = "32"

[[refund_window]]
from = "2027-2028"
to = "2027-2028"
source = "test"
value = { anchor = "after-school-year", months_before = 0, months_after = 4 }

[[caps]]
from = "2027-2028"
to = "2027-2028"
source = "test"
[caps.value.professional]
base = "100"
[caps.value.general-union]
base = "80"
[caps.value.university]
base = "120"
[caps.value.professional-bachelor]
base = "100"
[caps.value.language]
base = "80"
"""


def test_layer_adds_a_school_year_without_code_change(tmp_path: Path, rules: RuleBook) -> None:
    (tmp_path / "bev-2027.toml").write_text(NEXT_YEAR, encoding="utf-8")
    book = RuleBook.load(tmp_path, environ={})
    view = book.bev("2027-2028")
    assert view.flat_rate_eur == Decimal("22.50")
    assert view.min_fraction == Decimal("0.25")
    assert view.provisional == ()  # every figure confirmed by the layer
    assert view.version == "bev-2027.1"
    assert book.bev("2026-2027").flat_rate_eur == Decimal("22.07")
    assert book.versions("bev") == ("bev-2026.12.1", "bev-2027.1")


def test_layer_directory_from_environment(tmp_path: Path) -> None:
    (tmp_path / "bev-2027.toml").write_text(NEXT_YEAR, encoding="utf-8")
    book = RuleBook.load(environ={ENV_RULES_DIR: str(tmp_path)})
    assert book.bev("2027-2028").flat_rate_eur == Decimal("22.50")


def test_layer_overrides_same_period(tmp_path: Path) -> None:
    (tmp_path / "fix.toml").write_text(
        """
scheme = "vov"
version = "vov-fix"
source = "test"
status = "confirmed"
[[flat_rate_eur]]
from = "2019-2020"
to = "2025-2026"
confirmed = true
source = "test correction"
value = "21.31"
""",
        encoding="utf-8",
    )
    book = RuleBook.load(tmp_path, environ={})
    assert book.vov("2020-2021").flat_rate_eur == Decimal("21.31")
    assert "vov-fix" in book.vov("2020-2021").version


def test_bad_rule_files_report_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(
        """
scheme = "vov"
version = "broken"
[[flat_rate_eur]]
from = "2019-2020"
confirmed = true
source = "float"
value = 21.3
[[cap_hours]]
from = "not a year"
confirmed = true
source = "x"
value = "125"
""",
        encoding="utf-8",
    )
    (tmp_path / "b.toml").write_text('scheme = "nope"\nversion = "x"\n', encoding="utf-8")
    with pytest.raises(BrugValidationError) as info:
        RuleBook.load(tmp_path, environ={})
    rules_hit = {v.rule for v in info.value.violations}
    assert "rules.unknown-scheme" in rules_hit
    assert len(info.value.violations) >= 3
    assert any("a.toml" in v.path for v in info.value.violations)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(BrugValidationError) as info:
        RuleBook.load(tmp_path / "nope", environ={})
    assert info.value.violations[0].rule == "rules.dir-missing"


def test_a_partial_layer_carries_nothing_past_its_validity(tmp_path: Path) -> None:
    partial = NEXT_YEAR.split("[[min_fraction]]")[0]
    (tmp_path / "bev-2027.toml").write_text(partial, encoding="utf-8")
    book = RuleBook.load(tmp_path, environ={})
    with pytest.raises(BrugValidationError) as info:
        book.bev("2027-2028")
    assert info.value.violations[0].rule == "rules.missing-value"
