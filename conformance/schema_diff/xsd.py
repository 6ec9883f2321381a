"""XSD front-end: turn a schema (with its imports) into the normalised :class:`Node` tree.

Named types are *resolved*, not compared by name: an element's node carries the flattened
value space or content model of its type, so a change inside ``MotifPlafondMajore`` is reported
at ``messageCongeEducation/dossier/motifPlafondMajore``, where a message feels it, and renaming
a type without changing it reports nothing. Names in the schema's own target namespace are
keyed by local name, so a target-namespace change (``…:1`` → ``…:2``) is reported once, as
such, instead of as every element removed and added again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lxml import etree

from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.loader import XS_NS, SchemaDoc, SchemaSet, qname, split, xs
from conformance.schema_diff.model import Bound, Contract, Node, Role, Value, Wildcard

_PARTICLES = frozenset({"element", "sequence", "choice", "all", "group", "any"})
Occurs = tuple[int, int | None]


def _mul(a: int | None, b: int | None) -> int | None:
    if a == 0 or b == 0:
        return 0
    return None if a is None or b is None else a * b


def _occurs(el: etree._Element) -> Occurs:
    low = int(el.get("minOccurs", "1"))
    high_text = el.get("maxOccurs", "1")
    return low, None if high_text == "unbounded" else int(high_text)


def _xs_children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and c.tag.startswith(f"{{{XS_NS}}}")]


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


class XsdTreeBuilder:
    """Builds element trees from a :class:`SchemaSet`; ``relative_ns`` names are keyed bare."""

    def __init__(self, schemas: SchemaSet, relative_ns: str, role: Role = Role.MESSAGE) -> None:
        self.schemas = schemas
        self.relative_ns = relative_ns
        self.role = role
        self.used_types: set[str] = set()

    # ------------------------------------------------------------------ naming

    def key(self, namespace: str, name: str) -> str:
        return name if namespace in ("", self.relative_ns) else f"{{{namespace}}}{name}"

    def _lookup(
        self, tag: str, clark: str, where: etree._Element
    ) -> tuple[etree._Element, SchemaDoc] | None:
        found = self.schemas.find(tag, clark)
        if found is None and self.schemas.resolvable(clark):
            line = where.sourceline
            raise SchemaInputError(f"{tag} {clark} is referenced (line {line}) but not declared")
        return found

    def _lookup_type(
        self, clark: str, where: etree._Element
    ) -> tuple[etree._Element, SchemaDoc] | None:
        found = self.schemas.find("complexType", clark) or self.schemas.find("simpleType", clark)
        if found is None and self.schemas.resolvable(clark):
            line = where.sourceline
            raise SchemaInputError(f"type {clark} is referenced (line {line}) but not declared")
        return found

    # ------------------------------------------------------------------ elements

    def global_element(self, clark: str, kind: str = "element") -> Node:
        """The tree of global element ``clark`` (declared somewhere in the schema set)."""
        found = self.schemas.find("element", clark)
        if found is None:
            raise SchemaInputError(f"global element {clark} is not declared")
        decl, doc = found
        node = self._element(decl, doc, (0, 1), (), ())
        node.kind = kind
        return node

    def _element(
        self,
        decl: etree._Element,
        doc: SchemaDoc,
        occurs: Occurs,
        context: tuple[str, ...],
        stack: tuple[str, ...],
    ) -> Node:
        ref = decl.get("ref")
        if ref:
            clark = qname(decl, ref)
            namespace, name = split(clark)
            found = self._lookup("element", clark, decl)
            if found is None:
                self.schemas.warnings.append(f"element {clark} not resolved (import not loaded)")
                return Node(
                    key=self.key(namespace, name),
                    name=name,
                    kind="element",
                    role=self.role,
                    namespace=namespace,
                    min_occurs=occurs[0],
                    max_occurs=occurs[1],
                    context=context,
                    props={"ref": clark},
                )
            target, target_doc = found
        else:
            target, target_doc = decl, doc
            name = decl.get("name", "")
            is_global = decl.getparent() is doc.element
            form = decl.get("form")
            qualified = form == "qualified" if form else doc.qualified_elements
            namespace = doc.target_ns if is_global or qualified else ""
        node = Node(
            key=self.key(namespace, name),
            name=name,
            kind="element",
            role=self.role,
            namespace=namespace,
            min_occurs=occurs[0],
            max_occurs=occurs[1],
            context=context,
        )
        if target.get("nillable") == "true":
            node.props["nillable"] = "true"
        self._fill_from_declaration(node, target, target_doc, stack)
        fixed = target.get("fixed")
        if fixed is not None and node.value is not None:
            node.value = replace(node.value, fixed=fixed)
        return node

    def _fill_from_declaration(
        self, node: Node, decl: etree._Element, doc: SchemaDoc, stack: tuple[str, ...]
    ) -> None:
        type_name = decl.get("type")
        if type_name:
            self._fill_from_type_name(node, qname(decl, type_name), decl, stack)
            return
        for child in _xs_children(decl):
            if child.tag == xs("simpleType"):
                node.value = self.simple(child, doc)
                return
            if child.tag == xs("complexType"):
                self._complex(node, child, doc, stack)
                return
        # no type: xs:anyType, which accepts any content and attributes
        node.open_children = Wildcard()
        node.open_attributes = Wildcard()

    def _fill_from_type_name(
        self, node: Node, clark: str, where: etree._Element, stack: tuple[str, ...]
    ) -> None:
        namespace, local = split(clark)
        if namespace == XS_NS:
            if local == "anyType":
                node.open_children = Wildcard()
                node.open_attributes = Wildcard()
            else:
                node.value = Value(base=f"xs:{local}")
            return
        if clark in stack:
            node.recursive = local
            return
        self.used_types.add(clark)
        found = self._lookup_type(clark, where)
        if found is None:
            self.schemas.warnings.append(f"type {clark} not resolved (import not loaded)")
            node.value = Value(base=clark)
            return
        type_el, type_doc = found
        if type_el.tag == xs("simpleType"):
            node.value = self.simple(type_el, type_doc)
        else:
            self._complex(node, type_el, type_doc, (*stack, clark))

    # ------------------------------------------------------------------ complex types

    def _complex(
        self, node: Node, ct: etree._Element, doc: SchemaDoc, stack: tuple[str, ...]
    ) -> None:
        if ct.get("mixed") == "true":
            node.props["mixed"] = "true"
        for child in _xs_children(ct):
            local = _local(child)
            if local == "simpleContent":
                self._simple_content(node, child, doc, stack)
            elif local == "complexContent":
                self._complex_content(node, child, doc, stack)
            elif local in _PARTICLES:
                self._particle(node, child, doc, (), (1, 1), stack)
            else:
                self._attribute_item(node, child, doc)

    def _simple_content(
        self, node: Node, content: etree._Element, doc: SchemaDoc, stack: tuple[str, ...]
    ) -> None:
        for derivation in _xs_children(content):
            base = derivation.get("base")
            if base:
                self._fill_from_type_name(node, qname(derivation, base), derivation, stack)
            if _local(derivation) == "restriction":
                node.value = self._apply_facets(
                    node.value or Value("xs:anySimpleType"), derivation, doc
                )
            for item in _xs_children(derivation):
                self._attribute_item(node, item, doc)

    def _complex_content(
        self, node: Node, content: etree._Element, doc: SchemaDoc, stack: tuple[str, ...]
    ) -> None:
        if content.get("mixed") == "true":
            node.props["mixed"] = "true"
        for derivation in _xs_children(content):
            base = derivation.get("base")
            extension = _local(derivation) == "extension"
            if base:
                base_node = Node(key="", name="", kind="element", role=self.role)
                self._fill_from_type_name(base_node, qname(derivation, base), derivation, stack)
                if extension:
                    # extension = sequence(base content, own content); attributes accumulate
                    for kid in base_node.children:
                        if kid.kind != "attribute":
                            kid.context = (
                                ("sequence", *kid.context)
                                if kid.context[:1] != ("sequence",)
                                else kid.context
                            )
                    node.children.extend(base_node.children)
                    node.open_children = base_node.open_children
                else:  # restriction restates the content; only attributes are inherited
                    node.children.extend(k for k in base_node.children if k.kind == "attribute")
                node.open_attributes = base_node.open_attributes
                if base_node.recursive:
                    node.recursive = base_node.recursive
            for item in _xs_children(derivation):
                if _local(item) in _PARTICLES:
                    context: tuple[str, ...] = ("sequence",) if extension else ()
                    self._particle(node, item, doc, context, (1, 1), stack)
                else:
                    self._attribute_item(node, item, doc)

    def _particle(
        self,
        node: Node,
        particle: etree._Element,
        doc: SchemaDoc,
        context: tuple[str, ...],
        factor: Occurs,
        stack: tuple[str, ...],
    ) -> None:
        local = _local(particle)
        low, high = _occurs(particle)
        occurs: Occurs = (factor[0] * low, _mul(factor[1], high))
        if local == "element":
            self._add_child(node, self._element(particle, doc, occurs, context, stack))
        elif local == "any":
            namespaces = tuple(particle.get("namespace", "##any").split())
            node.open_children = Wildcard(namespaces, doc.target_ns)
        elif local == "group":
            ref = particle.get("ref")
            found = self._lookup("group", qname(particle, ref), particle) if ref else None
            if found is not None:
                group_el, group_doc = found
                for inner in _xs_children(group_el):
                    if _local(inner) in _PARTICLES:
                        self._particle(node, inner, group_doc, context, occurs, stack)
        elif local in ("sequence", "choice", "all"):
            nested = (
                context
                if local == "sequence" and context[-1:] == ("sequence",)
                else (*context, local)
            )
            items = [c for c in _xs_children(particle) if _local(c) in _PARTICLES]
            branch_low = 0 if local == "choice" and len(items) > 1 else occurs[0]
            for item in items:
                self._particle(node, item, doc, nested, (branch_low, occurs[1]), stack)

    def _add_child(self, node: Node, child: Node) -> None:
        """Append, keeping keys unique (an element repeated in a content model gets ``[2]``)."""
        taken = {c.key for c in node.children}
        if child.key in taken:
            index = 2
            while f"{child.key}[{index}]" in taken:
                index += 1
            child.key = f"{child.key}[{index}]"
            child.name = f"{child.name}[{index}]"
        node.children.append(child)

    # ------------------------------------------------------------------ attributes

    def _attribute_item(self, node: Node, item: etree._Element, doc: SchemaDoc) -> None:
        local = _local(item)
        if local == "attribute":
            self._attribute(node, item, doc)
        elif local == "attributeGroup":
            ref = item.get("ref")
            found = self._lookup("attributeGroup", qname(item, ref), item) if ref else None
            if found is not None:
                group_el, group_doc = found
                for inner in _xs_children(group_el):
                    self._attribute_item(node, inner, group_doc)
        elif local == "anyAttribute":
            namespaces = tuple(item.get("namespace", "##any").split())
            node.open_attributes = Wildcard(namespaces, doc.target_ns)

    def _attribute(self, node: Node, decl: etree._Element, doc: SchemaDoc) -> None:
        ref = decl.get("ref")
        target, target_doc = decl, doc
        if ref:
            clark = qname(decl, ref)
            namespace, name = split(clark)
            found = self._lookup("attribute", clark, decl)
            if found is not None:
                target, target_doc = found
        else:
            name = decl.get("name", "")
            form = decl.get("form")
            qualified = form == "qualified" if form else doc.qualified_attributes
            namespace = doc.target_ns if qualified else ""
        key = "@" + self.key(namespace, name)
        node.children = [c for c in node.children if c.key != key]  # restriction overrides
        use = decl.get("use", "optional")
        if use == "prohibited":
            return
        value = Value("xs:anySimpleType")
        type_name = target.get("type")
        if type_name:
            probe = Node(key="", name="", kind="attribute")
            self._fill_from_type_name(probe, qname(target, type_name), target, ())
            value = probe.value or value
        else:
            for child in _xs_children(target):
                if child.tag == xs("simpleType"):
                    value = self.simple(child, target_doc)
        fixed = decl.get("fixed") or target.get("fixed")
        if fixed is not None:
            value = replace(value, fixed=fixed)
        node.children.append(
            Node(
                key=key,
                name="@" + name,
                kind="attribute",
                role=self.role,
                namespace=namespace,
                min_occurs=1 if use == "required" else 0,
                max_occurs=1,
                value=value,
            )
        )

    # ------------------------------------------------------------------ simple types

    def simple(self, st: etree._Element, doc: SchemaDoc) -> Value:
        """The flattened value space of an ``xs:simpleType`` element."""
        for derivation in _xs_children(st):
            local = _local(derivation)
            if local == "restriction":
                return self._apply_facets(self._base_value(derivation, doc), derivation, doc)
            if local == "list":
                item = self._named_or_inline(derivation, "itemType", doc)
                return Value(base="list", members=(item.describe(),))
            if local == "union":
                members = [
                    self._simple_by_name(qname(derivation, m), derivation)
                    for m in derivation.get("memberTypes", "").split()
                ]
                members += [
                    self.simple(c, doc)
                    for c in _xs_children(derivation)
                    if _local(c) == "simpleType"
                ]
                return Value(base="union", members=tuple(m.describe() for m in members))
        return Value("xs:anySimpleType")

    def _named_or_inline(self, derivation: etree._Element, attribute: str, doc: SchemaDoc) -> Value:
        named = derivation.get(attribute)
        if named:
            return self._simple_by_name(qname(derivation, named), derivation)
        for child in _xs_children(derivation):
            if _local(child) == "simpleType":
                return self.simple(child, doc)
        return Value("xs:anySimpleType")

    def _base_value(self, derivation: etree._Element, doc: SchemaDoc) -> Value:
        return self._named_or_inline(derivation, "base", doc)

    def _simple_by_name(self, clark: str, where: etree._Element) -> Value:
        namespace, local = split(clark)
        if namespace == XS_NS:
            return Value(base=f"xs:{local}")
        self.used_types.add(clark)
        found = self._lookup("simpleType", clark, where)
        if found is None:
            complex_found = self.schemas.find("complexType", clark)
            if complex_found is not None:  # simpleContent restriction base
                probe = Node(key="", name="", kind="element")
                self._complex(probe, complex_found[0], complex_found[1], ())
                return probe.value or Value("xs:anySimpleType")
            self.schemas.warnings.append(f"type {clark} not resolved (import not loaded)")
            return Value(base=clark)
        return self.simple(*found)

    def _apply_facets(self, base: Value, restriction: etree._Element, doc: SchemaDoc) -> Value:
        del doc  # facets need no name resolution
        value = base
        enumeration: list[str] = []
        patterns: list[str] = []
        for facet in _xs_children(restriction):
            local = _local(facet)
            text = facet.get("value", "")
            if local == "enumeration":
                enumeration.append(text)
            elif local == "pattern":
                patterns.append(text)
            elif local == "length":
                value = replace(value, length=int(text))
            elif local == "minLength":
                value = replace(value, min_length=int(text))
            elif local == "maxLength":
                value = replace(value, max_length=int(text))
            elif local == "totalDigits":
                value = replace(value, total_digits=int(text))
            elif local == "fractionDigits":
                value = replace(value, fraction_digits=int(text))
            elif local in ("minInclusive", "minExclusive"):
                value = replace(value, lower=Bound(text, local == "minExclusive"))
            elif local in ("maxInclusive", "maxExclusive"):
                value = replace(value, upper=Bound(text, local == "maxExclusive"))
            elif local == "whiteSpace":
                value = replace(value, white_space=text)
        if enumeration:
            value = replace(value, enumeration=frozenset(enumeration))
        if patterns:
            value = replace(value, patterns=value.patterns | {"|".join(patterns)})
        return value

    # ------------------------------------------------------------------ global types

    def global_type(self, clark: str) -> Node:
        """A global type as a root-level node (type libraries have no elements to report at)."""
        _, local = split(clark)
        node = Node(key=f"type:{local}", name=f"type:{local}", kind="type", role=self.role)
        found = self.schemas.find("complexType", clark) or self.schemas.find("simpleType", clark)
        if found is None:  # pragma: no cover - only called for indexed types
            return node
        type_el, type_doc = found
        if type_el.tag == xs("simpleType"):
            node.value = self.simple(type_el, type_doc)
        else:
            self._complex(node, type_el, type_doc, (clark,))
        return node


def directives(doc: SchemaDoc) -> list[Node]:
    nodes: list[Node] = []
    for child in doc.element:
        if child.tag == xs("import"):
            namespace = child.get("namespace", "")
            nodes.append(
                Node(
                    key=f"import:{namespace}",
                    name=namespace or "(no namespace)",
                    kind="import",
                    role=Role.CONTRACT,
                    props={"schemaLocation": child.get("schemaLocation", "")},
                )
            )
        elif child.tag in (xs("include"), xs("redefine")):
            location = child.get("schemaLocation", "")
            nodes.append(
                Node(key=f"include:{location}", name=location, kind="include", role=Role.CONTRACT)
            )
    return nodes


def schema_tree(schemas: SchemaSet, main: SchemaDoc, name: str = "schema") -> Node:
    """The root node of an XSD: imports, global elements, and global types.

    Types get ``referenced`` = yes/no: a type some element uses is compared at the element
    paths (see :mod:`.compare`); one no element uses is library surface, compared as itself.
    """
    builder = XsdTreeBuilder(schemas, main.target_ns)
    root = Node(
        key=name,
        name=name,
        kind="schema",
        role=Role.MESSAGE,
        props={"targetNamespace": main.target_ns},
    )
    root.children.extend(directives(main))
    own = [d for d in schemas.docs if d.own]
    for doc in own:
        for clark, (_, owner) in schemas.components["element"].items():
            if owner is doc:
                root.children.append(builder.global_element(clark, kind="global element"))
    used_by_elements = set(builder.used_types)
    for tag in ("complexType", "simpleType"):
        for clark, (_, owner) in schemas.components[tag].items():
            if owner.own:
                node = builder.global_type(clark)
                node.props["referenced"] = "yes" if clark in used_by_elements else "no"
                root.children.append(node)
    return root


def load_xsd(path: Path, root_dir: Path) -> tuple[Contract, SchemaSet]:
    """Parse, resolve and check one XSD file; the compiled schema proves it is valid XSD."""
    schemas = SchemaSet(root_dir)
    main = schemas.load_file(path, own=True)
    if schemas.skipped:
        schemas.warnings.append(
            f"{path.name} not compiled (imports not followed): validity unchecked"
        )
    else:
        schemas.compile(path)
    tree = schema_tree(schemas, main)
    contract = Contract("xsd", str(path), main.target_ns, tree, schemas.warnings)
    return contract, schemas
