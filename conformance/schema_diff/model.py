"""The normalised tree every front-end (XSD, WSDL, OpenAPI) produces and the one engine compares.

Why one model: the compatibility questions are the same whatever the schema language ("can the
new contract read what the old one allowed?"), so XSD elements, WSDL operations and OpenAPI
properties all become :class:`Node` trees with occurrence bounds, a simple value space, and a
record of whether unknown content is tolerated. :mod:`conformance.schema_diff.compare` walks
two trees; :mod:`conformance.schema_diff.classify` decides BACKWARD / FORWARD per change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

#: Namespace wildcard meaning "any namespace" (xs:any namespace="##any", JSON additional props).
ANY_NAMESPACE = "##any"


class Role(StrEnum):
    """Who produces the data a node describes; only changes the wording of effects."""

    MESSAGE = "message"  # an XML document: senders produce, receivers consume
    REQUEST = "request"  # API request: clients produce, the service consumes
    RESPONSE = "response"  # API response: the service produces, clients consume
    CONTRACT = "contract"  # service description items (operations, bindings, imports)


@dataclass(frozen=True, slots=True)
class Wildcard:
    """Unknown content a node tolerates (``xs:any``/``xs:anyAttribute``, open JSON objects).

    ``namespaces`` holds ``##any``, ``##other``, ``##local``, ``##targetNamespace`` or URIs, as
    in XSD; ``target`` is the namespace ``##other``/``##targetNamespace`` refer to.
    """

    namespaces: tuple[str, ...] = (ANY_NAMESPACE,)
    target: str = ""

    def accepts(self, namespace: str) -> bool:
        """Whether an item in ``namespace`` ("" = no namespace) matches this wildcard."""
        for allowed in self.namespaces:
            if allowed == ANY_NAMESPACE:
                return True
            if allowed == "##other" and namespace not in ("", self.target):
                return True
            if allowed == "##local" and namespace == "":
                return True
            if allowed == "##targetNamespace" and namespace == self.target:
                return True
            if allowed == namespace:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Bound:
    """A lower or upper bound of a value space: value and whether it is exclusive."""

    value: str
    exclusive: bool

    def facet(self, lower: bool) -> str:
        if lower:
            return "minExclusive" if self.exclusive else "minInclusive"
        return "maxExclusive" if self.exclusive else "maxInclusive"


@dataclass(frozen=True, slots=True)
class Value:
    """The simple value space of a leaf: built-in base type plus the facets that restrict it.

    Restriction chains are flattened (``t:Text300`` = ``xs:string`` + minLength 1 + pattern +
    maxLength 300) so that two versions compare by what they accept, not by how the types are
    named. ``patterns`` holds one entry per derivation step (alternatives of a step joined with
    ``|``): all of them must match.
    """

    base: str
    length: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    patterns: frozenset[str] = frozenset()
    enumeration: frozenset[str] | None = None
    lower: Bound | None = None
    upper: Bound | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    white_space: str | None = None
    fixed: str | None = None
    #: union members / list item, rendered; compared for equality only
    members: tuple[str, ...] = ()

    def describe(self) -> str:
        """Short human form, for the old/new columns of a report."""
        parts = [self.base]
        if self.members:
            parts.append("(" + ", ".join(self.members) + ")")
        if self.enumeration is not None:
            parts.append("{" + ", ".join(sorted(self.enumeration)) + "}")
        for label, facet in (
            ("length", self.length),
            ("minLength", self.min_length),
            ("maxLength", self.max_length),
            ("totalDigits", self.total_digits),
            ("fractionDigits", self.fraction_digits),
        ):
            if facet is not None:
                parts.append(f"{label}={facet}")
        if self.lower is not None:
            parts.append(f"{self.lower.facet(True)}={self.lower.value}")
        if self.upper is not None:
            parts.append(f"{self.upper.facet(False)}={self.upper.value}")
        parts.extend(f"pattern={p}" for p in sorted(self.patterns))
        return " ".join(parts)


@dataclass(slots=True)
class Node:
    """One item of a contract: an element, attribute, operation, message part, property…

    ``key`` identifies the node among its siblings across versions (local name plus a foreign
    namespace, "query:limit", "GET /things"); ``name`` is what paths show. ``context`` is the
    chain of compositors between the parent and this node (``("sequence", "choice")``), which
    is how sequence/choice moves are detected without making compositors path segments.
    Occurrence bounds are *effective*: an element inside an optional group or a choice of
    several branches has ``min_occurs`` 0.
    """

    key: str
    name: str
    kind: str
    role: Role = Role.MESSAGE
    namespace: str = ""
    min_occurs: int = 1
    max_occurs: int | None = 1
    context: tuple[str, ...] = ()
    value: Value | None = None
    children: list[Node] = field(default_factory=list)
    #: unknown child elements / properties tolerated
    open_children: Wildcard | None = None
    #: unknown attributes tolerated (XSD only)
    open_attributes: Wildcard | None = None
    #: properties whose change is reported as such (soapAction, nillable, message, …)
    props: dict[str, str] = field(default_factory=dict)
    #: the subtree repeats an ancestor's type (recursion cut here)
    recursive: str | None = None

    @property
    def required(self) -> bool:
        return self.min_occurs > 0

    def wildcard_for(self, child: Node) -> Wildcard | None:
        """The wildcard that would accept ``child`` as unknown content, if any."""
        return self.open_attributes if child.kind == "attribute" else self.open_children


@dataclass(slots=True)
class Contract:
    """A parsed schema document: its format, identity and the root of its tree."""

    format: str  # "xsd" | "wsdl" | "openapi"
    source: str
    namespace: str
    root: Node
    warnings: list[str] = field(default_factory=list)
