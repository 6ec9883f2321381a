"""The crosswalk reader never fails with anything but named violations (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.brussels.crosswalk import parse_rows
from gateway.rules.ruledata import Status

HEADER = "odb_number,recognition_reference,course_type,raised_cap_reason,provider_recognised"
METADATA = "# status: confirmed\n# source: test\n# valid_from: 2023-09-01\n"

cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=8))
def test_any_lines_give_rows_or_named_violations(lines: list[str]) -> None:
    entries, violations = parse_rows(lines, origin="x.csv")
    assert all(v.rule.startswith("crosswalk.") for v in violations)
    assert not (entries and any(v.rule == "crosswalk.metadata" for v in violations))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(cells, cells, cells, cells, cells), max_size=6))
def test_rows_after_good_metadata_carry_its_status(rows: list[tuple[str, ...]]) -> None:
    text = METADATA + HEADER + "\n" + "\n".join(",".join(r).replace("\n", " ") for r in rows)
    entries, violations = parse_rows(text.splitlines(), origin="x.csv")
    assert all(
        e.status is Status.CONFIRMED and e.provisional_reason(e.valid_from) is None for e in entries
    )
    assert all(v.rule.startswith("crosswalk.") and v.path.startswith("x.csv:") for v in violations)
