"""Crosswalk between Flemish ODB course numbers and Brussels BEE recognition references.

The two regions identify the same course differently (an ODB number vs a BEE recognition
reference) and classify it differently (the ODB's type vs the BEV course type that picks a
cap), and neither publishes the other's key. The crosswalk is therefore maintained data: a
shipped CSV (``data/crosswalk.csv``) plus extra CSV files layered on top (later files win for
the same ODB number), loaded and validated once, then passed into the pure mappings.

Every file starts with comment lines saying what it is: ``# status: confirmed|assumed|sample``,
``# source: ...``, ``# valid_from: YYYY-MM-DD`` and optionally ``# valid_to: YYYY-MM-DD``. The
shipped file is ``sample`` (invented rows for the demo and tests): a mapping that uses a row not
confirmed, or outside its file's validity, is provisional and says why, and ``brug serve``
refuses sample rows unless ``[rules] allow_sample_data`` is set. A deployment loads the real
BEE crosswalk with ``[rules] crosswalk = [...]``, which replaces the shipped file.

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
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from gateway.errors import BrugValidationError, Violation
from gateway.models.bev import BevCourseType, RaisedCapReason
from gateway.models.odb import ODB_NUMBER_PATTERN
from gateway.rules.ruledata import Status

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
    status: Status = Status.CONFIRMED  # the file's
    source: str = ""
    valid_from: date = date.min
    valid_to: date | None = None
    status_reason: str | None = None  # built once when read: the mapping asks on every record

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def provisional_reason(self, day: date) -> str | None:
        """Why a mapping using this row on ``day`` is provisional; None when it is not."""
        if self.status_reason is not None:
            return self.status_reason
        if not self.covers(day):
            return (
                f"crosswalk row {Path(self.origin).name} is valid {self.valid_from}.."
                f"{self.valid_to or 'open'}, not on {day}"
            )
        return None


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

    def sample_entries(self) -> tuple[str, ...]:
        """Origins ("file:line") of every sample row; empty for real data."""
        return tuple(e.origin for e in self.entries() if e.status is Status.SAMPLE)

    def by_reference(self, reference: str) -> tuple[CrosswalkEntry, ...]:
        """Every ODB entry recognised under ``reference`` (more than one is ambiguous)."""
        return self._by_ref.get(reference, ())

    @classmethod
    def load(
        cls,
        extra: Path | str | Sequence[Path | str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        include_shipped: bool = True,
    ) -> Crosswalk:
        """The shipped CSV plus extra CSV files or directories of CSV files.

        ``extra`` defaults to ``$BRUG_CROSSWALK_PATH``. ``include_shipped=False`` leaves the
        shipped sample out: what a deployment with the real BEE crosswalk does.
        """
        env = os.environ if environ is None else environ
        if extra is None:
            items = [Path(p) for p in env.get(ENV_CROSSWALK, "").split(os.pathsep) if p.strip()]
        elif isinstance(extra, Path | str):
            items = [Path(extra)]
        else:
            items = [Path(p) for p in extra]
        paths = [DEFAULT_CROSSWALK] if include_shipped else []
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


@dataclass(frozen=True, slots=True)
class FileMetadata:
    status: Status
    source: str
    valid_from: date
    valid_to: date | None


_METADATA_KEYS = ("status", "source", "valid_from", "valid_to")


def parse_metadata(
    comments: Sequence[str], *, origin: str
) -> tuple[FileMetadata | None, list[Violation]]:
    """The ``# key: value`` lines heading a crosswalk file; a violation per missing/bad key."""
    found: dict[str, str] = {}
    for text in comments:
        key, sep, value = text.lstrip("#").partition(":")
        if sep and key.strip() in _METADATA_KEYS:
            found[key.strip()] = value.strip()
    violations: list[Violation] = []

    def bad(key: str, message: str) -> None:
        violations.append(
            Violation(f"{origin}:# {key}", "crosswalk.metadata", message, found.get(key))
        )

    status: Status | None = None
    try:
        status = Status(found.get("status", ""))
    except ValueError:
        bad("status", "a '# status:' line: confirmed, assumed or sample")
    if not found.get("source"):
        bad("source", "a '# source:' line naming where the rows come from")
    dates: dict[str, date | None] = {"valid_from": None, "valid_to": None}
    for key in dates:
        if key not in found and key == "valid_to":
            continue
        try:
            dates[key] = date.fromisoformat(found.get(key, ""))
        except ValueError:
            bad(key, f"a '# {key}: YYYY-MM-DD' line")
    start, end = dates["valid_from"], dates["valid_to"]
    if start is not None and end is not None and end < start:
        bad("valid_to", "valid_to is before valid_from")
    if violations or status is None or start is None:
        return None, violations
    return FileMetadata(status, found["source"], start, end), []


def parse_rows(
    lines: Iterable[str], *, origin: str
) -> tuple[list[CrosswalkEntry], list[Violation]]:
    """Parse a crosswalk file's lines; returns the good rows and a violation per bad cell
    (all of them), after the ``#`` metadata lines that head the file."""
    all_lines = list(lines)
    comments: list[str] = []
    while len(comments) < len(all_lines) and all_lines[len(comments)].startswith("#"):
        comments.append(all_lines[len(comments)])
    skipped = len(comments)
    metadata, meta_problems = parse_metadata(comments, origin=origin)
    entries, violations = _parse_csv(all_lines[skipped:], origin=origin, offset=skipped)
    if metadata is None:
        return [], meta_problems + violations
    return [
        replace(
            e,
            status=metadata.status,
            source=metadata.source,
            valid_from=metadata.valid_from,
            valid_to=metadata.valid_to,
            status_reason=None
            if metadata.status is Status.CONFIRMED
            else (
                f"crosswalk row {Path(e.origin).name} ({e.odb_number} -> "
                f"{e.recognition_reference}, {e.course_type}) is {metadata.status.value} data: "
                f"{metadata.source}"
            ),
        )
        for e in entries
    ], violations


def _parse_csv(
    lines: Iterable[str], *, origin: str, offset: int
) -> tuple[list[CrosswalkEntry], list[Violation]]:
    """The rows after the metadata; a line the csv module cannot read ends the file with a
    named violation (``crosswalk.csv``) instead of an exception."""
    entries: list[CrosswalkEntry] = []
    violations: list[Violation] = []
    reader = csv.DictReader(lines)
    try:
        _read_rows(reader, origin=origin, offset=offset, entries=entries, violations=violations)
    except csv.Error as exc:
        violations.append(
            Violation(f"{origin}:{reader.line_num + offset}", "crosswalk.csv", f"not CSV: {exc}")
        )
    return entries, violations


def _read_rows(
    reader: csv.DictReader[str],
    *,
    origin: str,
    offset: int,
    entries: list[CrosswalkEntry],
    violations: list[Violation],
) -> None:
    header = tuple(reader.fieldnames or ())
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        violations.append(
            Violation(
                f"{origin}:{offset + 1}",
                "crosswalk.columns",
                f"missing column(s): {', '.join(missing)}",
                ",".join(header),
            )
        )
        return
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num + offset
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
