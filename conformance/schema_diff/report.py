"""The result of one schema diff, its verdict at a level, and the entry point that builds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.schema_diff.changes import Change, Level, overall
from conformance.schema_diff.compare import diff
from conformance.schema_diff.detect import load_contract
from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.golden import GoldenResult, check_golden

#: levels a failing golden file (valid OLD data rejected by NEW) violates
_GOLDEN_LEVELS = frozenset({Level.BACKWARD, Level.FULL})


@dataclass(slots=True)
class DiffReport:
    """Every change from OLD to NEW, checked against ``level``; golden results if requested."""

    old: str
    new: str
    format: str
    level: Level
    changes: list[Change]
    warnings: list[str] = field(default_factory=list)
    golden: list[GoldenResult] | None = None

    @property
    def breaking(self) -> list[Change]:
        """The changes that violate :attr:`level`."""
        return [c for c in self.changes if c.breaks(self.level)]

    @property
    def golden_failures(self) -> list[GoldenResult]:
        return [g for g in self.golden or () if g.fails]

    @property
    def compatible(self) -> bool:
        """Exit code 0 when True."""
        golden_ok = self.level not in _GOLDEN_LEVELS or not self.golden_failures
        return not self.breaking and golden_ok

    @property
    def overall(self) -> Level:
        """The strongest level all changes together keep."""
        return overall(self.changes)

    def verdict(self) -> str:
        if not self.changes and not self.golden_failures:
            return "no changes: compatible at every level"
        if self.compatible:
            return (
                f"compatible at {self.level.value} ({len(self.changes)} change(s); together "
                f"they keep {self.overall.value})"
            )
        reasons = []
        if self.breaking:
            kinds = ", ".join(dict.fromkeys(c.kind.value for c in self.breaking))
            reasons.append(
                f"{len(self.breaking)} of {len(self.changes)} change(s) break it ({kinds})"
            )
        if self.golden_failures and self.level in _GOLDEN_LEVELS:
            reasons.append(f"{len(self.golden_failures)} golden message(s) of OLD fail under NEW")
        return (
            f"BREAKING at {self.level.value}: {'; '.join(reasons)}; together the changes keep "
            f"{self.overall.value}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "format": self.format,
            "level": self.level.value,
            "compatible": self.compatible,
            "overall": self.overall.value,
            "verdict": self.verdict(),
            "changes": [c.as_dict() for c in self.changes],
            "golden": None if self.golden is None else [g.as_dict() for g in self.golden],
            "warnings": self.warnings,
        }


def diff_files(
    old: Path,
    new: Path,
    *,
    level: Level = Level.BACKWARD,
    golden: Path | None = None,
    schema_root: Path | None = None,
) -> DiffReport:
    """Compare two schema files (XSD, WSDL 1.1 or OpenAPI 3.x) and classify every change.

    Raises :class:`SchemaInputError` for unreadable, malformed or invalid input, or when the
    two files are not the same kind of schema.
    """
    old_contract, old_set = load_contract(old, schema_root)
    new_contract, new_set = load_contract(new, schema_root)
    if old_contract.format != new_contract.format:
        raise SchemaInputError(
            f"cannot compare a {old_contract.format} ({old}) with a {new_contract.format} ({new})"
        )
    report = DiffReport(
        old=str(old),
        new=str(new),
        format=new_contract.format,
        level=level,
        changes=diff(old_contract, new_contract),
        warnings=sorted(set(old_contract.warnings) | set(new_contract.warnings)),
    )
    if golden is not None:
        if old_contract.format != "xsd" or old_set is None or new_set is None:
            raise SchemaInputError("--golden needs XSD schemas (golden XML messages)")
        report.golden = check_golden(golden, (old_set, old, old_contract.namespace), (new_set, new))
    return report
