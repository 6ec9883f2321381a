"""Compare two simple value spaces (built-in base + facets) and say which way each one moved.

A facet that accepts fewer values *tightens* (old data may no longer validate: breaks
BACKWARD); one that accepts more *loosens* (new data may not validate under the old schema:
breaks FORWARD). When neither side contains the other (a pattern replaced by a different one,
a fixed ``length`` changed, unrelated base types) the change breaks both: regular-expression
inclusion is not decided here, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from conformance.schema_diff import classify
from conformance.schema_diff.changes import Change, ChangeKind
from conformance.schema_diff.model import Bound, Node, Value

XS = "xs:"

#: built-in type → the type it is derived from (XSD 1.0 part 2, and JSON Schema's integer)
_PARENT: dict[str, str] = {
    "xs:normalizedString": "xs:string",
    "xs:token": "xs:normalizedString",
    "xs:language": "xs:token",
    "xs:NMTOKEN": "xs:token",
    "xs:Name": "xs:token",
    "xs:NCName": "xs:Name",
    "xs:ID": "xs:NCName",
    "xs:IDREF": "xs:NCName",
    "xs:ENTITY": "xs:NCName",
    "xs:integer": "xs:decimal",
    "xs:nonPositiveInteger": "xs:integer",
    "xs:negativeInteger": "xs:nonPositiveInteger",
    "xs:long": "xs:integer",
    "xs:int": "xs:long",
    "xs:short": "xs:int",
    "xs:byte": "xs:short",
    "xs:nonNegativeInteger": "xs:integer",
    "xs:unsignedLong": "xs:nonNegativeInteger",
    "xs:unsignedInt": "xs:unsignedLong",
    "xs:unsignedShort": "xs:unsignedInt",
    "xs:unsignedByte": "xs:unsignedShort",
    "xs:positiveInteger": "xs:nonNegativeInteger",
    "xs:dateTimeStamp": "xs:dateTime",
    "integer": "number",
}

_TOP = frozenset({"xs:anySimpleType", "xs:anyType"})


def _ancestors(base: str) -> list[str]:
    """``base`` and every type it derives from (JSON ``string(date)`` derives ``string``)."""
    chain = [base]
    while True:
        current = chain[-1]
        parent = _PARENT.get(current)
        if parent is None and "(" in current:
            parent = current.split("(", 1)[0]
        if parent is None:
            return chain
        chain.append(parent)


def base_relation(old: str, new: str) -> ChangeKind | None:
    """TYPE_NARROWED when NEW derives from OLD, TYPE_WIDENED for the reverse, else TYPE_CHANGED."""
    if old == new:
        return None
    if old in _TOP or old in _ancestors(new):
        return ChangeKind.TYPE_NARROWED
    if new in _TOP or new in _ancestors(old):
        return ChangeKind.TYPE_WIDENED
    return ChangeKind.TYPE_CHANGED


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _compare_bound_values(old: str, new: str) -> int | None:
    """-1 / 0 / 1 like cmp, or None when the two cannot be ordered (different lexical kinds)."""
    old_n, new_n = _number(old), _number(new)
    if old_n is not None and new_n is not None:
        return (new_n > old_n) - (new_n < old_n)
    if len(old) == len(new):  # ISO dates / times of the same shape order lexically
        return (new > old) - (new < old)
    return None


def _bound_kind(old: Bound | None, new: Bound | None, lower: bool) -> ChangeKind | None:
    if old == new:
        return None
    if old is None:
        return ChangeKind.FACET_TIGHTENED
    if new is None:
        return ChangeKind.FACET_LOOSENED
    order = _compare_bound_values(old.value, new.value)
    if order is None:
        return ChangeKind.FACET_CHANGED
    if order == 0:  # same value: exclusive is tighter than inclusive
        tighter = new.exclusive and not old.exclusive
    else:
        tighter = order > 0 if lower else order < 0
    return ChangeKind.FACET_TIGHTENED if tighter else ChangeKind.FACET_LOOSENED


def _bound_text(bound: Bound | None, lower: bool) -> str | None:
    return None if bound is None else f"{bound.facet(lower)}={bound.value}"


def _limit_kind(old: int | None, new: int | None, *, upper: bool) -> ChangeKind | None:
    """A numeric facet where a smaller value tightens (``upper``) or loosens (minLength)."""
    if old == new:
        return None
    if old is None:
        return ChangeKind.FACET_TIGHTENED
    if new is None:
        return ChangeKind.FACET_LOOSENED
    smaller = new < old
    return ChangeKind.FACET_TIGHTENED if smaller == upper else ChangeKind.FACET_LOOSENED


def _verb(kind: ChangeKind) -> str:
    return {
        ChangeKind.FACET_TIGHTENED: "tightened",
        ChangeKind.FACET_LOOSENED: "loosened",
    }.get(kind, "changed")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def compare_values(old: Value, new: Value, node: Node, path: str) -> list[Change]:
    """Every difference between two value spaces, each classified."""
    out: list[Change] = []

    def emit(kind: ChangeKind, description: str, old_v: object, new_v: object) -> None:
        out.append(classify.value_change(kind, node, path, description, _text(old_v), _text(new_v)))

    relation = base_relation(old.base, new.base)
    if relation is not None:
        word = {
            ChangeKind.TYPE_NARROWED: "narrowed",
            ChangeKind.TYPE_WIDENED: "widened",
        }.get(relation, "changed")
        emit(relation, f"type {word} {old.base} → {new.base}", old.base, new.base)
    if old.members != new.members:
        emit(
            ChangeKind.TYPE_CHANGED,
            f"{new.base} members changed",
            ", ".join(old.members),
            ", ".join(new.members),
        )

    limits: list[tuple[str, int | None, int | None, bool]] = [
        ("minLength", old.min_length, new.min_length, False),
        ("maxLength", old.max_length, new.max_length, True),
        ("totalDigits", old.total_digits, new.total_digits, True),
        ("fractionDigits", old.fraction_digits, new.fraction_digits, True),
    ]
    for facet, old_limit, new_limit, upper in limits:
        kind = _limit_kind(old_limit, new_limit, upper=upper)
        if kind is not None:
            emit(kind, _facet_description(facet, kind, old_limit, new_limit), old_limit, new_limit)
    if old.length != new.length:
        kind = _presence_kind(old.length, new.length)
        emit(
            kind, _facet_description("length", kind, old.length, new.length), old.length, new.length
        )
    for lower, old_bound, new_bound in (
        (True, old.lower, new.lower),
        (False, old.upper, new.upper),
    ):
        kind = _bound_kind(old_bound, new_bound, lower)
        if kind is not None:
            name = "lower bound" if lower else "upper bound"
            old_t, new_t = _bound_text(old_bound, lower), _bound_text(new_bound, lower)
            emit(kind, f"{name} {_verb(kind)}: {old_t or 'none'} → {new_t or 'none'}", old_t, new_t)
    _patterns(old, new, emit)
    _enumeration(old, new, emit)
    if old.white_space != new.white_space:
        emit(
            ChangeKind.FACET_CHANGED,
            f"whiteSpace changed {old.white_space or 'preserve'} → {new.white_space or 'preserve'}",
            old.white_space,
            new.white_space,
        )
    if old.fixed != new.fixed:
        kind = _presence_kind(old.fixed, new.fixed)
        emit(kind, f"fixed value {_verb(kind)}: {old.fixed} → {new.fixed}", old.fixed, new.fixed)
    return out


def _presence_kind(old: object, new: object) -> ChangeKind:
    """A facet that restricts by being there (length, fixed): added tightens, removed loosens."""
    if old is None:
        return ChangeKind.FACET_TIGHTENED
    if new is None:
        return ChangeKind.FACET_LOOSENED
    return ChangeKind.FACET_CHANGED


def _facet_description(facet: str, kind: ChangeKind, old: object, new: object) -> str:
    if old is None:
        return f"{facet} {new} added ({_verb(kind)})"
    if new is None:
        return f"{facet} {old} removed ({_verb(kind)})"
    return f"{facet} {_verb(kind)}: {old} → {new}"


def _patterns(
    old: Value, new: Value, emit: Callable[[ChangeKind, str, object, object], None]
) -> None:
    gained = sorted(new.patterns - old.patterns)
    lost = sorted(old.patterns - new.patterns)
    if gained and lost:
        emit(
            ChangeKind.FACET_CHANGED,
            f"pattern changed {' & '.join(lost)} → {' & '.join(gained)} (inclusion not decided)",
            " & ".join(lost),
            " & ".join(gained),
        )
    elif gained:
        emit(
            ChangeKind.FACET_TIGHTENED,
            f"pattern {' & '.join(gained)} added",
            None,
            " & ".join(gained),
        )
    elif lost:
        emit(
            ChangeKind.FACET_LOOSENED, f"pattern {' & '.join(lost)} removed", " & ".join(lost), None
        )


def _enumeration(
    old: Value, new: Value, emit: Callable[[ChangeKind, str, object, object], None]
) -> None:
    if old.enumeration == new.enumeration:
        return
    if old.enumeration is None:
        values = ", ".join(sorted(new.enumeration or ()))
        emit(ChangeKind.FACET_TIGHTENED, f"enumeration introduced: {values}", None, values)
        return
    if new.enumeration is None:
        values = ", ".join(sorted(old.enumeration))
        emit(ChangeKind.FACET_LOOSENED, f"enumeration dropped (was {values})", values, None)
        return
    for value in sorted(old.enumeration - new.enumeration):
        emit(ChangeKind.ENUM_VALUE_REMOVED, f"enumeration value '{value}' removed", value, None)
    for value in sorted(new.enumeration - old.enumeration):
        emit(ChangeKind.ENUM_VALUE_ADDED, f"enumeration value '{value}' added", None, value)
