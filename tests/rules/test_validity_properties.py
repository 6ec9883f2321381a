"""Property: a decision never uses a figure outside its validity (issue 14).

For any date the shipped data covers, every figure of a resolved view comes from an entry whose
validity contains that date (and that is applied by default); for generated rule layers, a date
no entry covers is refused (``rules.missing-value``), never answered with a neighbour's figure.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.errors import BrugValidationError
from gateway.rules import schoolyear
from gateway.rules.ruledata import RuleBook, RuleFile, Status

BOOK = RuleBook.load([], environ={})


def _covering_values(book: RuleBook, scheme: str, name: str, day: date) -> list[Any]:
    values = []
    for layer in book.layers:
        file: RuleFile = layer.file
        if file.scheme != scheme:
            continue
        for entry in getattr(file, name):
            status = entry.status_in(file.status)
            if entry.covers(day) and (status is not Status.UNCONFIRMED or book.include_unconfirmed):
                values.append(entry.value)
    return values


def _parameters(book: RuleBook, scheme: str) -> list[str]:
    layer = next(layer for layer in book.layers if layer.file.scheme == scheme)
    return [name for name, _ in layer.file.parameters()]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 8, 31)))
def test_every_vok_figure_comes_from_an_entry_valid_that_day(day: date) -> None:
    view = BOOK.vok(day)
    for name in _parameters(BOOK, "vok"):
        value = getattr(view, name)
        if value is None:  # an optional parameter (premium_tiers before 2021-09-01)
            assert _covering_values(BOOK, "vok", name, day) == [], name
            continue
        assert value in _covering_values(BOOK, "vok", name, day), name


@pytest.mark.parametrize("book", [BOOK, RuleBook.load([], include_unconfirmed=True, environ={})])
@pytest.mark.parametrize("scheme", ["vov", "bev"])
def test_every_school_year_figure_comes_from_an_entry_valid_that_year(
    book: RuleBook, scheme: str
) -> None:
    first = 2019 if scheme == "vov" else 2023
    for year in range(first, 2027):
        school_year = schoolyear.from_start_year(year)
        view = book.vov(school_year) if scheme == "vov" else book.bev(school_year)
        start, end = schoolyear.bounds(school_year)
        for name in _parameters(book, scheme):
            value = getattr(view, name)
            if value is None:
                assert _covering_values(book, scheme, name, start) == [], (school_year, name)
                continue
            assert value in _covering_values(book, scheme, name, start), (school_year, name)
            assert value in _covering_values(book, scheme, name, end), (school_year, name)
        assert bool(view.provisional) == any(
            "is assumed" in r or "unconfirmed" in r or "sample" in r for r in view.provisional
        )


@st.composite
def layers(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str, str]]]:
    """A VOV layer of disjoint flat-rate entries: (from year, to year, status, value)."""
    years = sorted(draw(st.sets(st.integers(2019, 2030), min_size=2, max_size=8)))
    pairs = list(zip(years[::2], years[1::2], strict=False))
    entries = []
    text = 'scheme = "vov"\nversion = "gen"\nsource = "generated"\nstatus = "confirmed"\n'
    for first, last in pairs:
        status = draw(st.sampled_from(["confirmed", "assumed", "sample"]))
        value = f"{draw(st.integers(1, 99))}.{draw(st.integers(10, 99))}"
        entries.append((first, last, status, value))
        text += (
            f'[[flat_rate_eur]]\nfrom = "{first}-{first + 1}"\nto = "{last}-{last + 1}"\n'
            f'status = "{status}"\nsource = "gen"\nassumption = "gen"\nvalue = "{value}"\n'
        )
    return text, entries


@settings(max_examples=60, deadline=None)
@given(layers(), st.integers(2015, 2033))
def test_a_generated_figure_is_used_only_within_its_validity(
    tmp_path_factory: pytest.TempPathFactory,
    layer: tuple[str, list[tuple[int, int, str, str]]],
    year: int,
) -> None:
    text, entries = layer
    directory: Path = tmp_path_factory.mktemp("layer")
    (directory / "gen.toml").write_text(text, encoding="utf-8")
    only = RuleBook.from_files([directory / "gen.toml"])
    day = date(year, 9, 1) + timedelta(days=year % 200)  # a day of school year `year`
    covering = [e for e in entries if e[0] <= year <= e[1]]
    if not covering:
        with pytest.raises(BrugValidationError) as info:
            only.figure("vov", "flat_rate_eur", day)
        assert info.value.violations[0].rule == "rules.missing-value"
        return
    (_first, _last, status, value) = covering[0]
    found, provisional = only.figure("vov", "flat_rate_eur", day)
    assert str(found) == value
    assert bool(provisional) == (status != "confirmed")
