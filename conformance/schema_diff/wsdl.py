"""WSDL 1.1 front-end: operations, messages, parts, bindings and ports as one :class:`Node` tree.

Each message part carries the resolved tree of the element it refers to (from the embedded
``xs:schema`` and what it imports), so a change in a request or response schema is reported
under ``message:…/<part>/…`` once, with the roles (clients / the service) of the operation that
uses the message. Service addresses are deployment data (placeholders here) and not compared.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.loader import SchemaSet, qname, read_xml, split, xs
from conformance.schema_diff.model import Contract, Node, Role
from conformance.schema_diff.xsd import XsdTreeBuilder, directives

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDINGS = {
    "http://schemas.xmlsoap.org/wsdl/soap/": "soap11",
    "http://schemas.xmlsoap.org/wsdl/soap12/": "soap12",
}


def _w(local: str) -> str:
    return f"{{{WSDL_NS}}}{local}"


def _local_ref(el: etree._Element, attribute: str) -> str:
    value = el.get(attribute)
    return split(qname(el, value))[1] if value else ""


def _message_roles(definitions: etree._Element) -> dict[str, Role]:
    """Which messages are requests (operation input) and which responses (output, fault)."""
    roles: dict[str, Role] = {}
    for operation in definitions.iterfind(f"{_w('portType')}/{_w('operation')}"):
        for child in operation:
            if child.tag == _w("input"):
                roles.setdefault(_local_ref(child, "message"), Role.REQUEST)
            elif child.tag in (_w("output"), _w("fault")):
                roles.setdefault(_local_ref(child, "message"), Role.RESPONSE)
    return roles


def _messages(definitions: etree._Element, schemas: SchemaSet) -> list[Node]:
    roles = _message_roles(definitions)
    nodes: list[Node] = []
    for message in definitions.iterfind(_w("message")):
        name = message.get("name", "")
        role = roles.get(name, Role.MESSAGE)
        node = Node(
            key=f"message:{name}", name=f"message:{name}", kind="message", role=role, min_occurs=0
        )
        for part in message.iterfind(_w("part")):
            node.children.append(_part(part, schemas, role))
        nodes.append(node)
    return nodes


def _part(part: etree._Element, schemas: SchemaSet, role: Role) -> Node:
    node = Node(
        key=f"part:{part.get('name', '')}", name=part.get("name", ""), kind="part", role=role
    )
    element = part.get("element")
    type_name = part.get("type")
    if element:
        clark = qname(part, element)
        node.props["element"] = split(clark)[1]
        if schemas.find("element", clark) is None:
            schemas.warnings.append(f"part element {clark} not resolved")
            return node
        builder = XsdTreeBuilder(schemas, split(clark)[0], role)
        content = builder.global_element(clark)
        content.key, content.min_occurs, content.max_occurs = "element", 1, 1
        node.children.append(content)
    elif type_name:
        node.props["type"] = qname(part, type_name)
    return node


def _port_types(definitions: etree._Element) -> list[Node]:
    nodes: list[Node] = []
    for port_type in definitions.iterfind(_w("portType")):
        name = port_type.get("name", "")
        node = Node(
            key=f"portType:{name}",
            name=f"portType:{name}",
            kind="port type",
            role=Role.CONTRACT,
            min_occurs=0,
        )
        for operation in port_type.iterfind(_w("operation")):
            op = Node(
                key=operation.get("name", ""),
                name=operation.get("name", ""),
                kind="operation",
                role=Role.CONTRACT,
                min_occurs=0,
            )
            for child in operation:
                if child.tag in (_w("input"), _w("output")):
                    op.props[etree.QName(child).localname] = _local_ref(child, "message")
                elif child.tag == _w("fault"):
                    op.props[f"fault {child.get('name', '')}"] = _local_ref(child, "message")
            node.children.append(op)
        nodes.append(node)
    return nodes


def _bindings(definitions: etree._Element) -> list[Node]:
    nodes: list[Node] = []
    for binding in definitions.iterfind(_w("binding")):
        name = binding.get("name", "")
        node = Node(
            key=f"binding:{name}",
            name=f"binding:{name}",
            kind="binding",
            role=Role.CONTRACT,
            min_occurs=0,
        )
        node.props["portType"] = _local_ref(binding, "type")
        for child in binding:
            protocol = SOAP_BINDINGS.get(etree.QName(child).namespace or "")
            if protocol and etree.QName(child).localname == "binding":
                node.props["protocol"] = protocol
                node.props["style"] = child.get("style", "document")
                node.props["transport"] = child.get("transport", "")
        for operation in binding.iterfind(_w("operation")):
            op = Node(
                key=operation.get("name", ""),
                name=operation.get("name", ""),
                kind="binding operation",
                role=Role.CONTRACT,
                min_occurs=0,
            )
            for child in operation:
                if (
                    SOAP_BINDINGS.get(etree.QName(child).namespace or "")
                    and etree.QName(child).localname == "operation"
                ):
                    op.props["soapAction"] = child.get("soapAction", "")
                    if child.get("style"):
                        op.props["style"] = child.get("style", "")
            node.children.append(op)
        nodes.append(node)
    return nodes


def _services(definitions: etree._Element) -> list[Node]:
    nodes: list[Node] = []
    for service in definitions.iterfind(_w("service")):
        name = service.get("name", "")
        node = Node(
            key=f"service:{name}",
            name=f"service:{name}",
            kind="service",
            role=Role.CONTRACT,
            min_occurs=0,
        )
        for port in service.iterfind(_w("port")):
            node.children.append(
                Node(
                    key=port.get("name", ""),
                    name=port.get("name", ""),
                    kind="port",
                    role=Role.CONTRACT,
                    min_occurs=0,
                    props={"binding": _local_ref(port, "binding")},
                )
            )
        nodes.append(node)
    return nodes


def load_wsdl(path: Path, root_dir: Path) -> tuple[Contract, SchemaSet]:
    """Parse one WSDL 1.1 file and the schemas it embeds or imports (offline, under root_dir)."""
    _, definitions = read_xml(path)
    if definitions.tag != _w("definitions"):
        raise SchemaInputError(f"{path}: not a WSDL 1.1 document (root is {definitions.tag})")
    schemas = SchemaSet(root_dir)
    root = Node(
        key="definitions",
        name="definitions",
        kind="wsdl",
        role=Role.CONTRACT,
        props={"targetNamespace": definitions.get("targetNamespace", "")},
    )
    for embedded in definitions.iterfind(f"{_w('types')}/{xs('schema')}"):
        doc = schemas.add_schema(embedded, path.resolve().parent, path=None, own=True)
        root.children.extend(directives(doc))
    for imported in definitions.iterfind(_w("import")):
        schemas.warnings.append(f"wsdl:import {imported.get('location')} not followed")
    root.children.extend(_messages(definitions, schemas))
    root.children.extend(_port_types(definitions))
    root.children.extend(_bindings(definitions))
    root.children.extend(_services(definitions))
    namespace = definitions.get("targetNamespace", "")
    return Contract("wsdl", str(path), namespace, root, schemas.warnings), schemas
