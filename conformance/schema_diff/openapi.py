"""OpenAPI 3.x front-end (JSON or YAML): operations, parameters, bodies and schemas as Nodes.

Requests and responses are told apart by :class:`~.model.Role`, so the same rule ("a required
item added breaks BACKWARD") reads "the service rejects requests from clients still on OLD"
for a parameter and "clients on NEW reject responses from a service still on OLD" for a
response property. JSON objects are open unless ``additionalProperties: false`` (unknown
properties validate), and servers ignore unknown query/header parameters; both are modelled
as wildcards, which is what makes those additions FORWARD-compatible.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.model import Bound, Contract, Node, Role, Value, Wildcard

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PARAMETER_NS = "parameter"


def read_document(path: Path) -> dict[str, Any]:
    """A JSON or YAML OpenAPI 3.x document as a dict (bad input: SchemaInputError)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaInputError(f"{path}: cannot read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SchemaInputError(f"{path}: neither JSON nor YAML ({exc})") from None
    if not isinstance(data, dict) or not str(data.get("openapi", "")).startswith("3."):
        raise SchemaInputError(f"{path}: not an OpenAPI 3.x document (no 'openapi: 3.x' key)")
    return data


class _Converter:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, item: Any) -> tuple[dict[str, Any], str | None]:
        """Follow a local ``$ref`` (``#/components/…``); returns the target and its name."""
        if not isinstance(item, dict):
            return {}, None
        ref = item.get("$ref")
        if not isinstance(ref, str):
            return item, None
        if not ref.startswith("#/"):
            raise SchemaInputError(f"external $ref {ref} is not supported (local refs only)")
        target: Any = self.document
        for step in ref[2:].split("/"):
            step = step.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or step not in target:
                raise SchemaInputError(f"$ref {ref} does not resolve")
            target = target[step]
        return (target if isinstance(target, dict) else {}), ref.rsplit("/", 1)[-1]

    # ------------------------------------------------------------------ schemas

    def fill(self, node: Node, raw: Any, stack: tuple[str, ...]) -> None:
        """Give ``node`` the value space / properties of JSON schema ``raw``."""
        schema, ref = self.resolve(raw)
        if ref is not None:
            if ref in stack:
                node.recursive = ref
                return
            stack = (*stack, ref)
        if schema.get("nullable") is True:
            node.props["nillable"] = "true"
        for sub in schema.get("allOf", []):
            self.fill(node, sub, stack)
        branches = schema.get("oneOf", []) + schema.get("anyOf", [])
        for branch in branches:
            probe = Node(key="", name="", kind="property", role=node.role)
            self.fill(probe, branch, stack)
            for child in probe.children:
                child.context, child.min_occurs = ("choice",), 0
                self._add(node, child)
            if probe.value is not None:
                members = (*(node.value.members if node.value else ()), probe.value.describe())
                node.value = Value(base="union", members=members)
        kind = schema.get("type")
        if isinstance(kind, list):
            if "null" in kind:
                node.props["nillable"] = "true"
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else None
        if kind == "object" or "properties" in schema:
            self._object(node, schema, stack)
        elif kind == "array":
            items = Node(
                key="[]",
                name="[]",
                kind="items",
                role=node.role,
                min_occurs=int(schema.get("minItems", 0)),
                max_occurs=schema.get("maxItems"),
            )
            self.fill(items, schema.get("items", {}), stack)
            self._add(node, items)
        elif isinstance(kind, str) or "enum" in schema:
            node.value = self._value(schema, kind if isinstance(kind, str) else "any")
        elif not schema.get("allOf") and not branches:
            node.open_children = Wildcard()  # {} accepts anything

    def _object(self, node: Node, schema: dict[str, Any], stack: tuple[str, ...]) -> None:
        required = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            child = Node(
                key=name,
                name=name,
                kind="property",
                role=node.role,
                min_occurs=1 if name in required else 0,
            )
            self.fill(child, sub, stack)
            self._add(node, child)
        for child in node.children:  # allOf parts may require properties declared elsewhere
            if child.key in required:
                child.min_occurs = max(child.min_occurs, 1)
        node.open_children = None if schema.get("additionalProperties") is False else Wildcard()

    @staticmethod
    def _add(node: Node, child: Node) -> None:
        node.children = [c for c in node.children if c.key != child.key]
        node.children.append(child)

    @staticmethod
    def _value(schema: dict[str, Any], kind: str) -> Value:
        fmt = schema.get("format")
        base = f"{kind}({fmt})" if fmt else kind
        enum = schema.get("enum")
        lower = upper = None
        if "minimum" in schema:
            lower = Bound(str(schema["minimum"]), schema.get("exclusiveMinimum") is True)
        if isinstance(schema.get("exclusiveMinimum"), int | float) and not isinstance(
            schema.get("exclusiveMinimum"), bool
        ):
            lower = Bound(str(schema["exclusiveMinimum"]), True)
        if "maximum" in schema:
            upper = Bound(str(schema["maximum"]), schema.get("exclusiveMaximum") is True)
        if isinstance(schema.get("exclusiveMaximum"), int | float) and not isinstance(
            schema.get("exclusiveMaximum"), bool
        ):
            upper = Bound(str(schema["exclusiveMaximum"]), True)
        pattern = schema.get("pattern")
        return Value(
            base=base,
            enumeration=frozenset(str(v) for v in enum) if isinstance(enum, list) else None,
            patterns=frozenset({pattern}) if isinstance(pattern, str) else frozenset(),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            lower=lower,
            upper=upper,
        )

    # ------------------------------------------------------------------ operations

    def operation(self, method: str, path: str, item: dict[str, Any], op: dict[str, Any]) -> Node:
        name = f"{method.upper()} {path}"
        node = Node(key=name, name=name, kind="operation", role=Role.CONTRACT, min_occurs=0)
        node.open_children = Wildcard((_PARAMETER_NS,))  # unknown parameters are ignored
        parameters: dict[str, Node] = {}
        for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
            parameter = self.parameter(raw)
            parameters[parameter.key] = parameter
        node.children.extend(parameters.values())
        if "requestBody" in op:
            body, _ = self.resolve(op["requestBody"])
            request = Node(
                key="requestBody",
                name="request",
                kind="request body",
                role=Role.REQUEST,
                min_occurs=1 if body.get("required") else 0,
            )
            request.children.extend(self.media(body, Role.REQUEST))
            node.children.append(request)
        for code, raw in op.get("responses", {}).items():
            response, _ = self.resolve(raw)
            answer = Node(
                key=f"response:{code}",
                name=f"response {code}",
                kind="response",
                role=Role.RESPONSE,
                min_occurs=0,
            )
            answer.children.extend(self.media(response, Role.RESPONSE))
            node.children.append(answer)
        return node

    def parameter(self, raw: Any) -> Node:
        parameter, _ = self.resolve(raw)
        where, name = parameter.get("in", "query"), parameter.get("name", "")
        node = Node(
            key=f"{where}:{name}",
            name=f"{where}:{name}",
            kind="parameter",
            role=Role.REQUEST,
            namespace=_PARAMETER_NS,
            min_occurs=1 if parameter.get("required") or where == "path" else 0,
        )
        self.fill(node, parameter.get("schema", {}), ())
        return node

    def media(self, holder: dict[str, Any], role: Role) -> list[Node]:
        nodes = []
        for media_type, content in holder.get("content", {}).items():
            node = Node(key=media_type, name=media_type, kind="media type", role=role, min_occurs=0)
            if isinstance(content, dict):
                self.fill(node, content.get("schema", {}), ())
            nodes.append(node)
        return nodes


def load_openapi(path: Path) -> Contract:
    """Parse an OpenAPI 3.x document into a contract tree (local ``$ref`` only)."""
    document = read_document(path)
    converter = _Converter(document)
    root = Node(key="openapi", name="openapi", kind="api", role=Role.CONTRACT)
    for http_path, raw_item in document.get("paths", {}).items():
        item, _ = converter.resolve(raw_item)
        for method in METHODS:
            if isinstance(item.get(method), dict):
                root.children.append(converter.operation(method, http_path, item, item[method]))
    return Contract("openapi", str(path), "", root)
