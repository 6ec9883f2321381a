"""What a mapping did with each source field: copied, recomputed, carried, flagged or dropped.

Records of two regions are not one-to-one (see the mapping-conflicts table in domain.md): a
fraction is recomputed, a cap comes from another table, a Dutch title has no French twin. A
mapping that silently drops or rewrites such a field makes a refund wrong without anyone
noticing, so every mapping returns a report in which each source field is either listed as
copied or has a :class:`Finding` saying what happened and why. Plain frozen dataclasses, not
pydantic models: a report is built on the hot path and is never parsed from outside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class FindingKind(StrEnum):
    RECOMPUTED = "recomputed"  # target value computed from rule data, not copied
    FLAGGED = "flagged"  # needs a human or the other region to confirm
    CARRIED = "carried"  # moved into a differently named target field
    NOT_APPLICABLE = "not-applicable"  # meaningless in the target scheme, left out on purpose
    DROPPED = "dropped"  # the target has no place for it; it stays with the source system


class Finding(NamedTuple):
    """One statement about one field.

    ``field`` names the *source* field ("registration.employment", "course.title_nl") or, for
    a value derived from several sources, the target field ("record.hours_cap"). Values are
    rendered as short strings (never a full INSZ). A NamedTuple: immutable and cheap to build,
    which matters at tens of thousands of mappings a second.
    """

    field: str
    kind: FindingKind
    message: str
    source_value: str | None = None
    target_value: str | None = None


@dataclass(frozen=True, slots=True)
class MappingReport:
    source: str
    target: str
    rule_data_version: str
    copied: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: Why the result rests on figures or rows that are not confirmed (assumed, sample,
    #: unconfirmed, outside their validity); empty when every input is confirmed.
    provisional: tuple[str, ...] = ()

    def of_kind(self, kind: FindingKind) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is kind)

    def for_field(self, name: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.field == name)

    @property
    def flagged(self) -> tuple[Finding, ...]:
        """Findings a human must look at before the record is final."""
        return self.of_kind(FindingKind.FLAGGED)

    def accounted_fields(self) -> frozenset[str]:
        return frozenset(self.copied) | {f.field for f in self.findings}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: kept with the record and shown to callers (why each field changed)."""
        return {
            "source": self.source,
            "target": self.target,
            "rule_data_version": self.rule_data_version,
            "copied": list(self.copied),
            "findings": [{**f._asdict(), "kind": f.kind.value} for f in self.findings],
            "provisional": list(self.provisional),
        }


@dataclass(frozen=True, slots=True)
class MappingResult(Generic[T]):
    """The target record and the report of how it was obtained."""

    record: T
    report: MappingReport


@dataclass(slots=True)
class ReportBuilder:
    """Collects copied fields and findings while a mapping runs."""

    source: str
    target: str
    copied: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def copy(self, *names: str) -> None:
        self.copied.extend(names)

    def add(
        self,
        name: str,
        kind: FindingKind,
        message: str,
        source_value: Any = None,
        target_value: Any = None,
    ) -> None:
        self.findings.append(
            Finding(
                name,
                kind,
                message,
                source_value
                if source_value is None or type(source_value) is str
                else str(source_value),
                target_value
                if target_value is None or type(target_value) is str
                else str(target_value),
            )
        )

    def build(self, rule_data_version: str, provisional: tuple[str, ...] = ()) -> MappingReport:
        return MappingReport(
            self.source,
            self.target,
            rule_data_version,
            tuple(self.copied),
            tuple(self.findings),
            provisional,
        )


def model_field_paths(model: type[BaseModel], prefix: str) -> tuple[str, ...]:
    """ "prefix.field" for every top-level field of ``model``."""
    return tuple(f"{prefix}.{name}" for name in model.model_fields)


def unaccounted_fields(
    report: MappingReport, source: BaseModel, prefix: str, *, skip_defaults: bool = True
) -> tuple[str, ...]:
    """Source fields the report neither copies nor explains.

    A field still holding its default (an empty tuple, None, False) carries no information and
    needs no finding when ``skip_defaults`` is set.
    """
    accounted = report.accounted_fields()
    missing: list[str] = []
    for name, info in type(source).model_fields.items():
        path = f"{prefix}.{name}"
        if path in accounted:
            continue
        if skip_defaults and not info.is_required() and getattr(source, name) == info.default:
            continue
        missing.append(path)
    return tuple(missing)
