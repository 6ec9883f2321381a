"""The one engine: walk two normalised trees side by side and emit classified changes.

Front-ends (:mod:`.xsd`, :mod:`.wsdl`, :mod:`.openapi`) do the format-specific work (resolving
types, refs, bindings) so this walk only matches siblings by key and compares occurrence,
compositor context, value space, open content and a few named properties.
"""

from __future__ import annotations

from conformance.schema_diff import classify
from conformance.schema_diff.changes import Change, ChangeKind
from conformance.schema_diff.model import ANY_NAMESPACE, Contract, Node
from conformance.schema_diff.values import compare_values

#: props whose true → false change tightens what is accepted
_BOOLEAN_WIDENERS = frozenset({"nillable", "mixed"})
_IGNORED_PROPS = frozenset({"referenced"})
_INFORMATIONAL_KINDS = frozenset({"import", "include"})


def diff(old: Contract, new: Contract) -> list[Change]:
    """Every change from ``old`` to ``new``, in document order."""
    out: list[Change] = []
    _compare(old.root, new.root, (), out)
    return out


def render_path(segments: tuple[str, ...]) -> str:
    """``a/b/@c``; a segment that itself contains ``/`` (an HTTP path) is bracketed."""
    return "/".join(f"[{s}]" if "/" in s else s for s in segments)


def _path(node: Node, segments: tuple[str, ...]) -> str:
    return render_path(segments) if segments else f"({node.name})"


def _ordered(node: Node) -> bool:
    return bool(node.context) and all(c == "sequence" for c in node.context)


def _is_branch(node: Node) -> bool:
    return bool(node.context) and node.context[-1] == "choice"


def _compare(old: Node, new: Node, segments: tuple[str, ...], out: list[Change]) -> None:
    path = _path(new, segments)
    _props(old, new, path, out)
    if old.recursive or new.recursive:
        if old.recursive != new.recursive:
            out.append(
                classify.both_breaking(
                    ChangeKind.TYPE_CHANGED,
                    new,
                    path,
                    f"recursive type changed {old.recursive} → {new.recursive}",
                    "the content model refers to a different type",
                    old.recursive,
                    new.recursive,
                )
            )
        return
    _value(old, new, path, out)
    _open_content(old, new, path, out)
    _children(old, new, segments, path, out)


def _props(old: Node, new: Node, path: str, out: list[Change]) -> None:
    for name in sorted(old.props.keys() | new.props.keys()):
        before, after = old.props.get(name), new.props.get(name)
        if before == after or name in _IGNORED_PROPS:
            continue
        if name == "targetNamespace":
            out.append(classify.namespace_changed(new, path, before or "", after or ""))
        elif name == "soapAction":
            out.append(
                classify.both_breaking(
                    ChangeKind.SOAP_ACTION_CHANGED,
                    new,
                    path,
                    f"soapAction changed {before!r} → {after!r}",
                    "services dispatch on the SOAPAction header; clients on OLD send the old one",
                    before,
                    after,
                )
            )
        elif name == "schemaLocation":
            out.append(
                classify.informational(
                    ChangeKind.IMPORT_CHANGED,
                    new,
                    path,
                    f"schemaLocation changed {before} → {after}",
                    "none by itself; differences in the imported components are reported where "
                    "they are used",
                )
            )
        elif name in _BOOLEAN_WIDENERS:
            widened = after == "true"
            out.append(
                classify.value_change(
                    ChangeKind.FACET_LOOSENED if widened else ChangeKind.FACET_TIGHTENED,
                    new,
                    path,
                    f"{name} {'allowed' if widened else 'no longer allowed'}",
                    before,
                    after,
                )
            )
        else:
            out.append(
                classify.both_breaking(
                    ChangeKind.REFERENCE_CHANGED,
                    new,
                    path,
                    f"{name} changed {before} → {after}",
                    f"the {new.kind} now refers to a different {name}",
                    before,
                    after,
                )
            )


def _value(old: Node, new: Node, path: str, out: list[Change]) -> None:
    if old.value is not None and new.value is not None:
        out.extend(compare_values(old.value, new.value, new, path))
    elif (old.value is None) != (new.value is None):
        before = old.value.describe() if old.value else "complex content"
        after = new.value.describe() if new.value else "complex content"
        out.append(
            classify.both_breaking(
                ChangeKind.TYPE_CHANGED,
                new,
                path,
                f"content changed from {before} to {after}",
                "simple and element-only content accept disjoint documents",
                before,
                after,
            )
        )


def _open_content(old: Node, new: Node, path: str, out: list[Change]) -> None:
    for what, before, after in (
        ("wildcard for unknown content", old.open_children, new.open_children),
        ("wildcard for unknown attributes", old.open_attributes, new.open_attributes),
    ):
        if (before is None) != (after is None):
            out.append(classify.open_content(new, path, added=after is not None, what=what))
        elif before is not None and after is not None and before.namespaces != after.namespaces:
            widened = ANY_NAMESPACE in after.namespaces
            narrowed = ANY_NAMESPACE in before.namespaces
            kind = (
                ChangeKind.FACET_LOOSENED
                if widened
                else ChangeKind.FACET_TIGHTENED
                if narrowed
                else ChangeKind.FACET_CHANGED
            )
            old_ns, new_ns = " ".join(before.namespaces), " ".join(after.namespaces)
            out.append(
                classify.value_change(
                    kind, new, path, f"{what}: namespace {old_ns} → {new_ns}", old_ns, new_ns
                )
            )


def _children(
    old: Node, new: Node, segments: tuple[str, ...], path: str, out: list[Change]
) -> None:
    old_map = {c.key: c for c in old.children}
    new_map = {c.key: c for c in new.children}
    _order(old, new, old_map, new_map, path, out)
    for child in old.children:
        counterpart = new_map.get(child.key)
        child_segments = (*segments, child.name)
        child_path = render_path(child_segments)
        if counterpart is None:
            _removed(child, new, child_path, out)
        else:
            _common(child, counterpart, child_segments, child_path, out)
    for child in new.children:
        if child.key not in old_map:
            _added(child, old, render_path((*segments, child.name)), out)


def _removed(child: Node, new_parent: Node, path: str, out: list[Change]) -> None:
    if child.kind == "type":
        if child.props.get("referenced") == "no":
            out.append(classify.type_removed(child, path))
        return
    if child.kind in _INFORMATIONAL_KINDS:
        out.append(
            classify.informational(
                ChangeKind.IMPORT_REMOVED,
                child,
                path,
                f"{child.kind} of {child.name} removed",
                "none by itself; components it provided and that are still used would be "
                "reported (or fail to resolve) where they are used",
            )
        )
        return
    out.append(classify.removed(child, new_parent, path, choice_branch=_is_branch(child)))


def _added(child: Node, old_parent: Node, path: str, out: list[Change]) -> None:
    if child.kind == "type":
        if child.props.get("referenced") == "no":
            out.append(
                classify.informational(
                    ChangeKind.TYPE_ADDED,
                    child,
                    path,
                    f"global type '{classify.title(child)}' added",
                    "none for documents: no element uses it yet (schemas importing this one "
                    "may start to)",
                )
            )
        return
    if child.kind in _INFORMATIONAL_KINDS:
        out.append(
            classify.informational(
                ChangeKind.IMPORT_ADDED,
                child,
                path,
                f"{child.kind} of {child.name} added",
                "none by itself; what the new components change is reported where they are used",
            )
        )
        return
    out.append(classify.added(child, old_parent, path, choice_branch=_is_branch(child)))


def _common(old: Node, new: Node, segments: tuple[str, ...], path: str, out: list[Change]) -> None:
    if old.kind == "type" and (
        old.props.get("referenced") != "no" or new.props.get("referenced") != "no"
    ):
        return  # a type in use is compared at the element paths that use it
    if old.context != new.context:
        before = "/".join(old.context) or "(content)"
        after = "/".join(new.context) or "(content)"
        out.append(
            classify.both_breaking(
                ChangeKind.COMPOSITOR_CHANGED,
                new,
                path,
                f"moved from {before} to {after}",
                "the content model around it changed (sequence ↔ choice ↔ all)",
                before,
                after,
            )
        )
    else:
        out.extend(classify.occurrence(old, new, path))
    _compare(old, new, segments, out)


def _order(
    old: Node,
    new: Node,
    old_map: dict[str, Node],
    new_map: dict[str, Node],
    path: str,
    out: list[Change],
) -> None:
    """Report once per parent when the relative order of kept sequence members changed."""
    before = [c.key for c in old.children if c.key in new_map and _ordered(c)]
    before = [k for k in before if _ordered(new_map[k])]
    kept = set(before)
    after = [c.key for c in new.children if c.key in kept]
    if before != after:
        names_before = ", ".join(old_map[k].name for k in before)
        names_after = ", ".join(new_map[k].name for k in after)
        out.append(
            classify.both_breaking(
                ChangeKind.SEQUENCE_ORDER_CHANGED,
                new,
                path,
                f"sequence order changed: {names_before} → {names_after}",
                "xs:sequence fixes the order of elements",
                names_before,
                names_after,
            )
        )
