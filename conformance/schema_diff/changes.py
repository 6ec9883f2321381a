"""What a schema diff reports: one :class:`Change` per difference, and the compatibility levels.

The vocabulary is Apicurio Registry's: BACKWARD means the NEW schema can read data produced
with the OLD one (upgrade consumers first), FORWARD means the OLD schema can read data produced
with the NEW one (upgrade producers first), FULL is both, NONE checks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """The compatibility level a diff is checked against (``--level``)."""

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    FULL = "FULL"
    NONE = "NONE"


class ChangeKind(StrEnum):
    """What changed; the item kind (element, operation, property…) is :attr:`Change.item`."""

    ADDED = "added"  # operation, message, binding, global element, response, media type
    REMOVED = "removed"
    ADDED_OPTIONAL = "added-optional"
    ADDED_REQUIRED = "added-required"
    REMOVED_OPTIONAL = "removed-optional"
    REMOVED_REQUIRED = "removed-required"
    CHOICE_BRANCH_ADDED = "choice-branch-added"
    CHOICE_BRANCH_REMOVED = "choice-branch-removed"
    MIN_OCCURS_RAISED = "min-occurs-raised"
    MIN_OCCURS_LOWERED = "min-occurs-lowered"
    MAX_OCCURS_RAISED = "max-occurs-raised"
    MAX_OCCURS_LOWERED = "max-occurs-lowered"
    TYPE_NARROWED = "type-narrowed"
    TYPE_WIDENED = "type-widened"
    TYPE_CHANGED = "type-changed"
    FACET_TIGHTENED = "facet-tightened"
    FACET_LOOSENED = "facet-loosened"
    FACET_CHANGED = "facet-changed"
    ENUM_VALUE_ADDED = "enumeration-value-added"
    ENUM_VALUE_REMOVED = "enumeration-value-removed"
    NAMESPACE_CHANGED = "namespace-changed"
    SEQUENCE_ORDER_CHANGED = "sequence-order-changed"
    COMPOSITOR_CHANGED = "compositor-changed"
    OPEN_CONTENT_ADDED = "open-content-added"
    OPEN_CONTENT_REMOVED = "open-content-removed"
    SOAP_ACTION_CHANGED = "soap-action-changed"
    REFERENCE_CHANGED = "reference-changed"  # operation message, part element, port binding…
    IMPORT_ADDED = "import-added"
    IMPORT_REMOVED = "import-removed"
    IMPORT_CHANGED = "import-changed"
    TYPE_ADDED = "global-type-added"
    TYPE_REMOVED = "global-type-removed"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between OLD and NEW, classified and explained.

    ``backward``: NEW reads everything OLD allowed. ``forward``: OLD reads everything NEW
    allows. ``producers`` / ``consumers`` say what the change means for each side, in the roles
    of the item (senders and receivers of a message; clients and the service of an API).
    """

    kind: ChangeKind
    item: str
    path: str
    description: str
    backward: bool
    forward: bool
    producers: str
    consumers: str
    old: str | None = None
    new: str | None = None

    @property
    def compatibility(self) -> Level:
        """The strongest level this change keeps (NONE = breaking both ways)."""
        if self.backward and self.forward:
            return Level.FULL
        if self.backward:
            return Level.BACKWARD
        if self.forward:
            return Level.FORWARD
        return Level.NONE

    def breaks(self, level: Level) -> bool:
        """Whether this change violates ``level``."""
        if level is Level.BACKWARD:
            return not self.backward
        if level is Level.FORWARD:
            return not self.forward
        if level is Level.FULL:
            return not (self.backward and self.forward)
        return False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "item": self.item,
            "path": self.path,
            "change": self.description,
            "backward": self.backward,
            "forward": self.forward,
            "compatibility": self.compatibility.value,
            "producers": self.producers,
            "consumers": self.consumers,
            "old": self.old,
            "new": self.new,
        }


def overall(changes: list[Change]) -> Level:
    """The strongest level every change keeps: FULL, BACKWARD, FORWARD or NONE."""
    backward = all(c.backward for c in changes)
    forward = all(c.forward for c in changes)
    if backward and forward:
        return Level.FULL
    if backward:
        return Level.BACKWARD
    if forward:
        return Level.FORWARD
    return Level.NONE
