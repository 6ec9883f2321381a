"""One typed error for every kind of bad input.

Callers at the edges (CLI, REST, SOAP) turn a :class:`BrugValidationError` into an exit code 2,
an HTTP 400 problem (``gateway.service.rest.problems``) or a SOAP Fault. Keeping one error
type carrying *every* violation (not only the first) lets a partner fix a rejected record in
one round trip instead of one per field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: *where* (a dotted/XPath-like path), *which rule*, and the offending value.

    ``value`` is already redacted by whoever builds the violation when it may hold personal data
    (an INSZ is never echoed in full).
    """

    path: str
    rule: str
    message: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        shown = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.path}: [{self.rule}] {self.message}{shown}"


class BrugError(Exception):
    """Base of every error brug raises on purpose."""


class BrugValidationError(BrugError):
    """Input was rejected; ``violations`` lists every rule it broke."""

    def __init__(self, violations: Sequence[Violation], *, context: str = "input") -> None:
        if not violations:
            raise ValueError("BrugValidationError needs at least one violation")
        self.violations: tuple[Violation, ...] = tuple(violations)
        self.context = context
        lines = "; ".join(str(v) for v in self.violations[:5])
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        super().__init__(f"invalid {context}: {lines}{more}")

    @classmethod
    def merge(cls, errors: Iterable[BrugValidationError], *, context: str) -> BrugValidationError:
        """Join several errors into one (e.g. schema + identifier checks of the same file)."""
        return cls([v for e in errors for v in e.violations], context=context)
