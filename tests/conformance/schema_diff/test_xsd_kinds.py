"""Every XSD change kind, one tiny pair each: kind, path, and the BACKWARD/FORWARD verdict.

Reversed pairs (NEW → OLD) give the opposite change (added ↔ removed, tightened ↔ loosened),
which is itself a check that the rules are symmetric where they should be.
"""

from __future__ import annotations

import pytest

from conformance.schema_diff import ChangeKind, Level, diff_files
from tests.conformance.schema_diff.conftest import PAIRS, Differ, pair_files

K = ChangeKind

# pair, reversed?, path, kind, item, BACKWARD?, FORWARD?
CASES: list[tuple[str, bool, str, ChangeKind, str, bool, bool]] = [
    # strict XSD: an optional addition is BACKWARD- but NOT FORWARD-compatible (no xs:any)
    ("optional-element-added", False, "root/b", K.ADDED_OPTIONAL, "element", True, False),
    ("optional-element-added", True, "root/b", K.REMOVED_OPTIONAL, "element", False, True),
    ("required-element-added", False, "root/b", K.ADDED_REQUIRED, "element", False, False),
    ("required-element-added", True, "root/b", K.REMOVED_REQUIRED, "element", False, False),
    ("attribute-added", False, "root/@lang", K.ADDED_OPTIONAL, "attribute", True, False),
    ("attribute-added", False, "root/@id", K.ADDED_REQUIRED, "attribute", False, False),
    ("attribute-added", True, "root/@lang", K.REMOVED_OPTIONAL, "attribute", False, True),
    ("attribute-added", True, "root/@id", K.REMOVED_REQUIRED, "attribute", False, False),
    # under a wildcard OLD tolerates the unknown attribute: FULL
    ("attribute-under-wildcard", False, "root/@lang", K.ADDED_OPTIONAL, "attribute", True, True),
    ("attribute-under-wildcard", True, "root/@lang", K.REMOVED_OPTIONAL, "attribute", True, True),
    ("wildcard-removed", False, "root", K.OPEN_CONTENT_REMOVED, "global element", False, True),
    ("wildcard-removed", True, "root", K.OPEN_CONTENT_ADDED, "global element", True, False),
    ("occurs", False, "root/a", K.MIN_OCCURS_RAISED, "element", False, True),
    ("occurs", False, "root/a", K.MAX_OCCURS_LOWERED, "element", False, True),
    ("occurs", True, "root/a", K.MIN_OCCURS_LOWERED, "element", True, False),
    ("occurs", True, "root/a", K.MAX_OCCURS_RAISED, "element", True, False),
    ("type-narrowed", False, "root/code", K.FACET_TIGHTENED, "element", False, True),
    ("type-narrowed", False, "root/amount", K.FACET_TIGHTENED, "element", False, True),
    ("type-narrowed", False, "root/count", K.TYPE_NARROWED, "element", False, True),
    ("type-narrowed", True, "root/code", K.FACET_LOOSENED, "element", True, False),
    ("type-narrowed", True, "root/amount", K.FACET_LOOSENED, "element", True, False),
    ("type-narrowed", True, "root/count", K.TYPE_WIDENED, "element", True, False),
    ("enumeration", False, "root/colour", K.ENUM_VALUE_REMOVED, "element", False, True),
    ("enumeration", False, "root/colour", K.ENUM_VALUE_ADDED, "element", True, False),
    ("namespace", False, "(schema)", K.NAMESPACE_CHANGED, "schema", False, False),
    ("sequence-order", False, "root", K.SEQUENCE_ORDER_CHANGED, "global element", False, False),
    ("compositor", False, "root/a", K.COMPOSITOR_CHANGED, "element", False, False),
    ("compositor", False, "root/b", K.COMPOSITOR_CHANGED, "element", False, False),
    ("choice-branch-added", False, "root/c", K.CHOICE_BRANCH_ADDED, "element", True, False),
    ("choice-branch-added", True, "root/c", K.CHOICE_BRANCH_REMOVED, "element", False, True),
    ("global-element-added", False, "other", K.ADDED, "global element", True, False),
    ("global-element-added", True, "other", K.REMOVED, "global element", False, True),
    ("global-type-added", False, "type:Spare", K.TYPE_ADDED, "type", True, True),
    ("global-type-added", True, "type:Spare", K.TYPE_REMOVED, "type", False, True),
    ("nillable", False, "root/a", K.FACET_TIGHTENED, "element", False, True),
    ("nillable", True, "root/a", K.FACET_LOOSENED, "element", True, False),
    # facets that restrict by being there: added tightens, removed loosens
    ("facet-presence", False, "root/code", K.FACET_TIGHTENED, "element", False, True),
    ("facet-presence", False, "root/mode", K.FACET_TIGHTENED, "element", False, True),
    ("facet-presence", True, "root/code", K.FACET_LOOSENED, "element", True, False),
    ("facet-presence", True, "root/mode", K.FACET_LOOSENED, "element", True, False),
]


@pytest.mark.parametrize(
    ("pair", "reverse", "path", "kind", "item", "backward", "forward"),
    CASES,
    ids=[f"{c[0]}{'-reversed' if c[1] else ''}-{c[3].value}-{c[2]}" for c in CASES],
)
def test_change_kind_path_and_classification(
    differ: Differ,
    pair: str,
    reverse: bool,
    path: str,
    kind: ChangeKind,
    item: str,
    backward: bool,
    forward: bool,
) -> None:
    report = differ(pair, reverse=reverse)
    matches = [c for c in report.changes if c.path == path and c.kind is kind]
    assert len(matches) == 1, [c.as_dict() for c in report.changes]
    change = matches[0]
    assert (change.item, change.backward, change.forward) == (item, backward, forward)
    assert change.producers and change.consumers


FACETS = ["minl", "maxl", "mininc", "maxinc", "minexc", "maxexc", "td", "fd"]


@pytest.mark.parametrize("element", FACETS)
def test_facet_tightened_breaks_backward_and_loosened_breaks_forward(
    differ: Differ, element: str
) -> None:
    tightened = [c for c in differ("facets-tightened").changes if c.path == f"root/{element}"]
    loosened = [
        c for c in differ("facets-tightened", reverse=True).changes if c.path == f"root/{element}"
    ]
    assert [(c.kind, c.backward, c.forward) for c in tightened] == [
        (ChangeKind.FACET_TIGHTENED, False, True)
    ]
    assert [(c.kind, c.backward, c.forward) for c in loosened] == [
        (ChangeKind.FACET_LOOSENED, True, False)
    ]


@pytest.mark.parametrize("element", ["len", "pat"])
def test_length_or_pattern_changed_breaks_both_ways(differ: Differ, element: str) -> None:
    for reverse in (False, True):
        changes = differ("facets-tightened", reverse=reverse).changes
        (change,) = [c for c in changes if c.path == f"root/{element}"]
        assert (change.kind, change.backward, change.forward) == (
            ChangeKind.FACET_CHANGED,
            False,
            False,
        )


def test_facet_descriptions_name_the_facet(differ: Differ) -> None:
    text = {c.path: c.description for c in differ("facets-tightened").changes}
    assert text["root/minl"] == "minLength tightened: 1 → 2"
    assert text["root/maxexc"] == "upper bound tightened: maxExclusive=100 → maxExclusive=10"
    assert text["root/fd"] == "fractionDigits tightened: 4 → 2"
    assert len(text) == 10  # one change per element, nothing else


def test_enumeration_reports_each_value(differ: Differ) -> None:
    descriptions = sorted(c.description for c in differ("enumeration").changes)
    assert descriptions == [
        "enumeration value 'blue' removed",
        "enumeration value 'green' added",
    ]


def test_changes_inside_named_types_are_reported_where_they_are_used(differ: Differ) -> None:
    report = differ("named-types")  # pairs/named-types/{old,new}/main.xsd, lib.xsd beside them
    found = {(c.path, c.kind, c.description) for c in report.changes}
    assert found == {
        # local complexType used twice: reported at both element paths
        ("person/home/box", ChangeKind.ADDED_OPTIONAL, "optional element 'box' added"),
        ("person/work/box", ChangeKind.ADDED_OPTIONAL, "optional element 'box' added"),
        # simpleType imported from lib.xsd in the same directory
        ("person/status", ChangeKind.ENUM_VALUE_REMOVED, "enumeration value 'archived' removed"),
    }


def test_imports() -> None:
    folder = PAIRS / "imports"
    added = diff_files(folder / "no-import.xsd", folder / "unused-import.xsd").changes
    assert [(c.kind, c.path, c.backward, c.forward) for c in added] == [
        (ChangeKind.IMPORT_ADDED, "urn:test:common", True, True)
    ]
    removed = diff_files(folder / "unused-import.xsd", folder / "no-import.xsd").changes
    assert [c.kind for c in removed] == [ChangeKind.IMPORT_REMOVED]
    moved = diff_files(folder / "uses-common.xsd", folder / "uses-common-copy.xsd").changes
    assert [(c.kind, c.description, c.backward, c.forward) for c in moved] == [
        (
            ChangeKind.IMPORT_CHANGED,
            "schemaLocation changed common.xsd → common-copy.xsd",
            True,
            True,
        )
    ]
    # using an imported, restricted type where xs:string was: the import's facet is reported
    used = diff_files(folder / "no-import.xsd", folder / "uses-common.xsd").changes
    assert {(c.kind, c.path) for c in used} == {
        (ChangeKind.IMPORT_ADDED, "urn:test:common"),
        (ChangeKind.FACET_TIGHTENED, "root/a"),
    }


def test_recursive_type_is_cut_and_compared_once(differ: Differ) -> None:
    changes = differ("recursive").changes
    assert [(c.kind, c.path) for c in changes] == [(ChangeKind.ADDED_OPTIONAL, "tree/@weight")]


@pytest.mark.parametrize("pair", ["occurs", "enumeration", "named-types", "recursive"])
def test_identical_schema_has_no_changes(pair: str) -> None:
    old, _ = pair_files(pair)
    report = diff_files(old, old, level=Level.FULL)
    assert report.changes == []
    assert report.compatible
