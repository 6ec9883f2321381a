"""Fixtures for the schema-diff tests: where the pairs are, and a one-call diff helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.schema_diff import Change, DiffReport, Level, diff_files

PAIRS = Path(__file__).resolve().parent / "pairs"
REPO = Path(__file__).resolve().parents[3]
SCHEMAS = REPO / "schemas"
EXAMPLES = REPO / "examples"

Differ = Callable[..., DiffReport]


@pytest.fixture
def differ() -> Differ:
    """``differ("occurs")`` diffs pairs/occurs/old.xsd → new.xsd; ``reverse=True`` swaps them.

    A pair with imports of its own has ``old/main.xsd`` and ``new/main.xsd`` instead.
    """

    def run(pair: str, *, reverse: bool = False, level: Level = Level.BACKWARD) -> DiffReport:
        old, new = pair_files(pair)
        if reverse:
            old, new = new, old
        return diff_files(old, new, level=level)

    return run


def pair_files(pair: str) -> tuple[Path, Path]:
    folder = PAIRS / pair
    if (folder / "old.xsd").is_file():
        return folder / "old.xsd", folder / "new.xsd"
    return folder / "old" / "main.xsd", folder / "new" / "main.xsd"


def only(report: DiffReport, path: str) -> Change:
    """The single change reported at ``path``."""
    found = [c for c in report.changes if c.path == path]
    assert len(found) == 1, [c.as_dict() for c in report.changes]
    return found[0]
