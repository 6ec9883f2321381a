"""Crosswalk between Flemish ODB course numbers and Brussels BEE recognition references.

The two regions identify the same course differently (an ODB number vs a BEE recognition
reference) and classify it differently (the ODB's type vs the BEV course type that picks a
cap), and neither publishes the other's key. The crosswalk is therefore maintained data: a
shipped CSV (``data/crosswalk.csv``) plus extra CSV files layered on top (later files win for
the same ODB number), loaded and validated once, then passed into the pure mappings.

Columns: ``odb_number`` (course or module number), ``recognition_reference`` (BEE-YYYY-NNNN),
``course_type`` (BEV course type), ``raised_cap_reason`` (empty: base cap),
``provider_recognised`` (true when BEE/Community approval of the provider is known),
``title_fr`` (empty: the course only has a Dutch title), ``note``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.errors import BrugValidationError, Violation
from gateway.models.bev import BevCourseType, RaisedCapReason
from gateway.models.odb import ODB_NUMBER_PATTERN

DEFAULT_CROSSWALK = Path(__file__).parent / "data" / "crosswalk.csv"
#: Extra crosswalk CSV files or directories (``os.pathsep``-separated).
ENV_CROSSWALK = "BRUG_CROSSWALK_PATH"

COLUMNS = (
    "odb_number",
    "recognition_reference",
    "course_type",
    "raised_cap_reason",
    "provider_recognised",
    "title_fr",
    "note",
)
_REQUIRED_COLUMNS = COLUMNS[:5]
_ODB = re.compile(ODB_NUMBER_PATTERN)
_BEE = re.compile(r"^BEE-\d{4}-\d{4,6}$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True, slots=True)
class CrosswalkEntry:
    odb_number: str
    recognition_reference: str
    course_type: BevCourseType
    raised_cap_reason: RaisedCapReason | None
    provider_recognised: bool
    title_fr: str | None
    note: str
    origin: str  # "file:line", for traceability


def base_number(odb_number: str) -> str:
    """The course number without a module suffix ("CE-100512/M2" → "CE-100512")."""
    return odb_number.split("/", 1)[0]


class Crosswalk:
    """ODB number ↔ BEE recognition reference, immutable once built."""

    def __init__(self, entries: Iterable[CrosswalkEntry]) -> None:
        by_odb: dict[str, CrosswalkEntry] = {}
        for entry in entries:
            by_odb[entry.odb_number] = entry  # later layers win
        self._by_odb = by_odb
        by_ref: dict[str, list[CrosswalkEntry]] = {}
        for entry in by_odb.values():
            by_ref.setdefault(entry.recognition_reference, []).append(entry)
        self._by_ref = {
            ref: tuple(sorted(found, key=lambda e: e.odb_number)) for ref, found in by_ref.items()
        }

    def __len__(self) -> int:
        return len(self._by_odb)

    def entries(self) -> tuple[CrosswalkEntry, ...]:
        """Every entry, ordered by ODB number."""
        return tuple(self._by_odb[k] for k in sorted(self._by_odb))

    def lookup(self, odb_number: str) -> CrosswalkEntry | None:
        """The entry for a module number, else for its course number, else None."""
        found = self._by_odb.get(odb_number)
        if found is None and "/" in odb_number:
            found = self._by_odb.get(base_number(odb_number))
        return found

    def by_reference(self, reference: str) -> tuple[CrosswalkEntry, ...]:
        """Every ODB entry recognised under ``reference`` (more than one is ambiguous)."""
        return self._by_ref.get(reference, ())

    @classmethod
    def load(
        cls,
        extra: Path | str | Sequence[Path | str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> Crosswalk:
        """The shipped CSV plus extra CSV files or directories of CSV files.

        ``extra`` defaults to ``$BRUG_CROSSWALK_PATH``.
        """
        env = os.environ if environ is None else environ
        if extra is None:
            items = [Path(p) for p in env.get(ENV_CROSSWALK, "").split(os.pathsep) if p.strip()]
        elif isinstance(extra, Path | str):
            items = [Path(extra)]
        else:
            items = [Path(p) for p in extra]
        paths = [DEFAULT_CROSSWALK]
        for item in items:
            paths.extend(sorted(item.glob("*.csv")) if item.is_dir() else [item])
        return cls.from_files(paths)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> Crosswalk:
        violations: list[Violation] = []
        entries: list[CrosswalkEntry] = []
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                violations.append(Violation(str(path), "crosswalk.file-unreadable", str(exc)))
                continue
            found, problems = parse_rows(text.splitlines(), origin=str(path))
            entries.extend(found)
            violations.extend(problems)
        if violations:
            raise BrugValidationError(violations, context="crosswalk")
        return cls(entries)


def parse_rows(
    lines: Iterable[str], *, origin: str
) -> tuple[list[CrosswalkEntry], list[Violation]]:
    """Parse CSV lines; returns the good rows and a violation per bad cell (all of them)."""
    reader = csv.DictReader(lines)
    header = tuple(reader.fieldnames or ())
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [
            Violation(
                f"{origin}:1",
                "crosswalk.columns",
                f"missing column(s): {', '.join(missing)}",
                ",".join(header),
            )
        ]
    entries: list[CrosswalkEntry] = []
    violations: list[Violation] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        where = f"{origin}:{line}"
        problems: list[Violation] = []

        def cell(name: str, row: dict[str, str | None] = row) -> str:
            return (row.get(name) or "").strip()

        odb = cell("odb_number")
        if not _ODB.match(odb):
            problems.append(
                Violation(f"{where}:odb_number", "crosswalk.odb-number", "not an ODB number", odb)
            )
        elif odb in seen:
            problems.append(
                Violation(
                    f"{where}:odb_number",
                    "crosswalk.duplicate",
                    f"ODB number already on line {seen[odb]} of the same file",
                    odb,
                )
            )
        ref = cell("recognition_reference")
        if not _BEE.match(ref):
            problems.append(
                Violation(
                    f"{where}:recognition_reference",
                    "crosswalk.reference",
                    "a BEE reference looks like BEE-2024-01234",
                    ref,
                )
            )
        course_type: BevCourseType | None = None
        try:
            course_type = BevCourseType(cell("course_type"))
        except ValueError:
            problems.append(
                Violation(
                    f"{where}:course_type",
                    "crosswalk.course-type",
                    f"one of {', '.join(t.value for t in BevCourseType)}",
                    cell("course_type"),
                )
            )
        reason: RaisedCapReason | None = None
        if cell("raised_cap_reason"):
            try:
                reason = RaisedCapReason(cell("raised_cap_reason"))
            except ValueError:
                problems.append(
                    Violation(
                        f"{where}:raised_cap_reason",
                        "crosswalk.raised-cap-reason",
                        f"empty or one of {', '.join(r.value for r in RaisedCapReason)}",
                        cell("raised_cap_reason"),
                    )
                )
        recognised_text = cell("provider_recognised").lower()
        if recognised_text not in _TRUE | _FALSE:
            problems.append(
                Violation(
                    f"{where}:provider_recognised",
                    "crosswalk.boolean",
                    "true or false",
                    recognised_text,
                )
            )
        if problems:
            violations.extend(problems)
            continue
        assert course_type is not None
        seen[odb] = line
        entries.append(
            CrosswalkEntry(
                odb_number=odb,
                recognition_reference=ref,
                course_type=course_type,
                raised_cap_reason=reason,
                provider_recognised=recognised_text in _TRUE,
                title_fr=cell("title_fr")[:300] or None,
                note=cell("note"),
                origin=where,
            )
        )
    return entries, violations
