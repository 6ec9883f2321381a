"""The compatibility rules: for each kind of change, BACKWARD? FORWARD? and what it means.

Kept apart from the tree walk (:mod:`.compare`) so the rules read as one table and match
``docs/schema-compatibility.md``. Every decision follows from two questions:

* BACKWARD: is every document valid under OLD still valid under NEW? (consumers upgrade first)
* FORWARD: is every document valid under NEW still valid under OLD? (producers upgrade first)

Strict XSD rejects unknown elements and attributes unless the parent declares a wildcard
(``xs:any`` / ``xs:anyAttribute``), so additions are FORWARD-compatible only under a wildcard,
and removals BACKWARD-compatible only under one. JSON objects in OpenAPI are open unless
``additionalProperties: false``; unknown query/header parameters are ignored by servers.
"""

from __future__ import annotations

from conformance.schema_diff.changes import Change, ChangeKind
from conformance.schema_diff.model import Node, Role

#: (who produces, who consumes) per role, for the effect texts
_PARTIES: dict[Role, tuple[str, str]] = {
    Role.MESSAGE: ("senders", "receivers"),
    Role.REQUEST: ("clients", "the service"),
    Role.RESPONSE: ("the service", "clients"),
    Role.CONTRACT: ("clients", "the service"),
}

#: items whose occurrence (optional / required) is meaningful in a description
_OCCURRING = frozenset(
    {"element", "attribute", "parameter", "property", "part", "request body", "items"}
)

_STRICT = "no wildcard (xs:any / open object) accepts unknown content there"


def parties(role: Role) -> tuple[str, str]:
    return _PARTIES[role]


#: kinds whose path segment is prefixed ("message:X") but whose description needs only "X"
_PREFIXED = frozenset({"message", "port type", "binding", "service", "type"})


def title(node: Node) -> str:
    """The node's name for a sentence: ``message:X`` → ``X`` (paths keep the prefix)."""
    return node.name.split(":", 1)[-1] if node.kind in _PREFIXED else node.name


def _optional_word(node: Node) -> str:
    return "optional" if not node.required else "required"


def _label(node: Node) -> str:
    prefix = f"{_optional_word(node)} " if node.kind in _OCCURRING else ""
    return f"{prefix}{node.kind} '{title(node)}'"


def added(node: Node, old_parent: Node, path: str, *, choice_branch: bool) -> Change:
    """``node`` exists in NEW only. ``old_parent`` decides whether OLD tolerated it unknown."""
    producers_word, consumers_word = parties(node.role)
    wildcard = old_parent.wildcard_for(node)
    tolerated = wildcard is not None and wildcard.accepts(node.namespace)
    backward = not node.required
    forward = tolerated
    if choice_branch:
        kind = ChangeKind.CHOICE_BRANCH_ADDED
        description = f"choice branch {node.kind} '{title(node)}' added"
    elif node.kind in _OCCURRING:
        kind = ChangeKind.ADDED_REQUIRED if node.required else ChangeKind.ADDED_OPTIONAL
        description = f"{_label(node)} added"
    else:
        kind = ChangeKind.ADDED
        description = f"{node.kind} '{title(node)}' added"
    if forward:
        producers = (
            f"{producers_word} may send '{node.name}' at once: OLD accepts it as unknown content"
        )
    else:
        producers = (
            f"{producers_word} must not send '{node.name}' before all {consumers_word} run NEW: "
            f"OLD rejects it ({_STRICT})"
        )
    if backward:
        consumers = f"{consumers_word} on NEW still accept data without '{node.name}'"
    else:
        consumers = (
            f"{consumers_word} on NEW reject data from {producers_word} still on OLD: "
            f"'{node.name}' is required and OLD never sends it"
        )
    return Change(kind, node.kind, path, description, backward, forward, producers, consumers)


def removed(node: Node, new_parent: Node, path: str, *, choice_branch: bool) -> Change:
    """``node`` exists in OLD only. ``new_parent`` decides whether NEW tolerates it unknown."""
    producers_word, consumers_word = parties(node.role)
    wildcard = new_parent.wildcard_for(node)
    tolerated = wildcard is not None and wildcard.accepts(node.namespace)
    backward = tolerated
    forward = not node.required
    if choice_branch:
        kind = ChangeKind.CHOICE_BRANCH_REMOVED
        description = f"choice branch {node.kind} '{title(node)}' removed"
    elif node.kind in _OCCURRING:
        kind = ChangeKind.REMOVED_REQUIRED if node.required else ChangeKind.REMOVED_OPTIONAL
        description = f"{_label(node)} removed"
    else:
        kind = ChangeKind.REMOVED
        description = f"{node.kind} '{title(node)}' removed"
    if backward:
        consumers = (
            f"{consumers_word} on NEW still accept '{node.name}' as unknown content (and ignore it)"
        )
    else:
        consumers = (
            f"{consumers_word} on NEW reject data from {producers_word} still on OLD that contains "
            f"'{node.name}' ({_STRICT})"
        )
    if forward:
        producers = f"{producers_word} on NEW stop sending '{node.name}'; OLD did not require it"
    else:
        producers = (
            f"{producers_word} on NEW no longer send '{node.name}', which {consumers_word} on OLD "
            "require"
        )
    return Change(kind, node.kind, path, description, backward, forward, producers, consumers)


def _occurs(value: int | None) -> str:
    return "unbounded" if value is None else str(value)


def occurrence(old: Node, new: Node, path: str) -> list[Change]:
    """minOccurs / maxOccurs (required, minItems/maxItems) changes of a node present in both."""
    producers_word, consumers_word = parties(new.role)
    out: list[Change] = []
    if old.min_occurs != new.min_occurs:
        raised = new.min_occurs > old.min_occurs
        out.append(
            Change(
                ChangeKind.MIN_OCCURS_RAISED if raised else ChangeKind.MIN_OCCURS_LOWERED,
                new.kind,
                path,
                f"minOccurs {old.min_occurs} → {new.min_occurs}"
                + (" (now required)" if raised and old.min_occurs == 0 else "")
                + (" (now optional)" if not raised and new.min_occurs == 0 else ""),
                backward=not raised,
                forward=raised,
                producers=(
                    f"{producers_word} on NEW must send '{new.name}' at least {new.min_occurs}×"
                    if raised
                    else f"{producers_word} on NEW may send '{new.name}' fewer times, which "
                    f"{consumers_word} on OLD reject"
                ),
                consumers=(
                    f"{consumers_word} on NEW reject data from {producers_word} on OLD with fewer"
                    if raised
                    else f"{consumers_word} on NEW accept fewer occurrences"
                ),
                old=str(old.min_occurs),
                new=str(new.min_occurs),
            )
        )
    if old.max_occurs != new.max_occurs:
        lowered = new.max_occurs is not None and (
            old.max_occurs is None or new.max_occurs < old.max_occurs
        )
        out.append(
            Change(
                ChangeKind.MAX_OCCURS_LOWERED if lowered else ChangeKind.MAX_OCCURS_RAISED,
                new.kind,
                path,
                f"maxOccurs {_occurs(old.max_occurs)} → {_occurs(new.max_occurs)}",
                backward=not lowered,
                forward=lowered,
                producers=(
                    f"{producers_word} on NEW send at most {_occurs(new.max_occurs)}"
                    if lowered
                    else f"{producers_word} on NEW may send more '{new.name}' than "
                    f"{consumers_word} on OLD accept"
                ),
                consumers=(
                    f"{consumers_word} on NEW reject data from {producers_word} on OLD with more"
                    if lowered
                    else f"{consumers_word} on NEW accept more occurrences"
                ),
                old=_occurs(old.max_occurs),
                new=_occurs(new.max_occurs),
            )
        )
    return out


def value_change(
    kind: ChangeKind,
    node: Node,
    path: str,
    description: str,
    old: str | None,
    new: str | None,
) -> Change:
    """A change of the value space of a leaf (type, facet, enumeration, nillable, fixed)."""
    producers_word, consumers_word = parties(node.role)
    tightened = kind in (
        ChangeKind.TYPE_NARROWED,
        ChangeKind.FACET_TIGHTENED,
        ChangeKind.ENUM_VALUE_REMOVED,
    )
    loosened = kind in (
        ChangeKind.TYPE_WIDENED,
        ChangeKind.FACET_LOOSENED,
        ChangeKind.ENUM_VALUE_ADDED,
    )
    if tightened:
        producers = f"{producers_word} on NEW send a subset of what OLD allowed"
        consumers = f"{consumers_word} on NEW reject values {producers_word} on OLD may still send"
    elif loosened:
        producers = (
            f"{producers_word} on NEW may send values {consumers_word} on OLD reject; "
            f"upgrade {consumers_word} first"
        )
        consumers = f"{consumers_word} on NEW accept everything OLD allowed, and more"
    else:
        producers = (
            f"{producers_word} on NEW may send values {consumers_word} on OLD reject "
            "(neither value space contains the other, as far as can be decided)"
        )
        consumers = f"{consumers_word} on NEW may reject values valid under OLD"
    return Change(
        kind,
        node.kind,
        path,
        description,
        backward=loosened,
        forward=tightened,
        producers=producers,
        consumers=consumers,
        old=old,
        new=new,
    )


def both_breaking(
    kind: ChangeKind,
    node: Node,
    path: str,
    description: str,
    why: str,
    old: str | None = None,
    new: str | None = None,
) -> Change:
    """A change no reader on either side survives (namespace, order, soapAction, references)."""
    producers_word, consumers_word = parties(node.role)
    return Change(
        kind,
        node.kind,
        path,
        description,
        backward=False,
        forward=False,
        producers=f"{producers_word} and {consumers_word} must switch together: {why}",
        consumers=f"{consumers_word} on either version reject data produced with the other",
        old=old,
        new=new,
    )


def namespace_changed(node: Node, path: str, old: str, new: str) -> Change:
    """A new target namespace is a new contract: every qualified name differs."""
    return both_breaking(
        ChangeKind.NAMESPACE_CHANGED,
        node,
        path,
        f"target namespace changed {old} → {new}",
        "every qualified name is different, so no document is valid under both (versioned "
        "namespaces make each version a new contract; run both side by side)",
        old,
        new,
    )


def open_content(node: Node, path: str, *, added: bool, what: str) -> Change:
    """A wildcard (xs:any, xs:anyAttribute, additionalProperties) appeared or went away."""
    producers_word, consumers_word = parties(node.role)
    return Change(
        ChangeKind.OPEN_CONTENT_ADDED if added else ChangeKind.OPEN_CONTENT_REMOVED,
        node.kind,
        path,
        f"{what} {'added' if added else 'removed'}",
        backward=added,
        forward=not added,
        producers=(
            f"{producers_word} on NEW may add extension content that {consumers_word} on OLD reject"
            if added
            else f"{producers_word} on NEW can no longer add extension content"
        ),
        consumers=(
            f"{consumers_word} on NEW accept extension content"
            if added
            else f"{consumers_word} on NEW reject extension content OLD allowed"
        ),
    )


def informational(kind: ChangeKind, node: Node, path: str, description: str, effect: str) -> Change:
    """A change that alters no document's validity by itself (imports, unused global types)."""
    return Change(
        kind,
        node.kind,
        path,
        description,
        backward=True,
        forward=True,
        producers=effect,
        consumers=effect,
    )


def type_removed(node: Node, path: str) -> Change:
    """An unreferenced global type removed: schemas importing it no longer compile."""
    return Change(
        ChangeKind.TYPE_REMOVED,
        node.kind,
        path,
        f"global type '{title(node)}' removed",
        backward=False,
        forward=True,
        producers="documents using it via xsi:type, and schemas importing it, break",
        consumers="schemas that import this one and refer to the type no longer compile",
    )
