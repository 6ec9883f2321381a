"""Request templates: a golden message plus ``set`` substitutions, nothing cleverer.

Golden files stay schema-valid as they are (the corpus checks that), so placeholders cannot
live inside them; instead a case says which elements get which value, by XPath with the
catalogue's prefixes, and values may use placeholders:

``{message_id}``   the case's message id (the same for every copy the case sends)
``{query_id}``     a new UUID at each use (follow-up queries need their own id)
``{dossier_id}``   a record id unique to the case (so a no-trace query finds nothing else)
``{attest_number}`` an attest number unique to the case
``{now}``          the current UTC time, ``YYYY-MM-DDTHH:MM:SSZ``; ``{today}`` the date
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from conformance.endpoint.catalogue import GOLDEN_DIR, RequestSpec
from gateway.xml.safe_parser import parse_xml

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


class TemplateError(ValueError):
    """A substitution matched nothing: the case and its template disagree."""


@dataclass(frozen=True, slots=True)
class Substitutions:
    """The values of one case run."""

    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    dossier_id: str = field(default_factory=lambda: f"CONF-{uuid.uuid4().hex[:16].upper()}")
    attest_number: str = field(default_factory=lambda: f"CONF-{uuid.uuid4().hex[:12].upper()}")

    def value(self, name: str) -> str:
        now = datetime.now(UTC)
        fixed = {
            "message_id": self.message_id,
            "dossier_id": self.dossier_id,
            "attest_number": self.attest_number,
            "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "today": now.date().isoformat(),
        }
        if name == "query_id":
            return str(uuid.uuid4())
        return fixed[name]

    def expand(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.value(m.group(1)), text)


def apply_values(
    root: etree._Element, values: Mapping[str, str], namespaces: Mapping[str, str]
) -> None:
    """Set the text of every element each XPath selects; a path selecting nothing is an error."""
    for path, text in values.items():
        found = root.xpath(path, namespaces=dict(namespaces))
        targets = (
            [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []
        )
        if not targets:
            raise TemplateError(f"set path {path!r} selects no element of the template")
        for element in targets:
            element.text = text


def build_payload(
    spec: RequestSpec,
    namespaces: Mapping[str, str],
    subs: Substitutions,
    defaults: Mapping[str, str],
) -> etree._Element:
    """The template's root with defaults then the case's own values applied."""
    root = parse_xml((GOLDEN_DIR / spec.template).read_bytes())
    merged = {**defaults, **spec.set}
    expanded = {path: subs.expand(value) for path, value in merged.items()}
    apply_values(root, _present(root, expanded, namespaces, set(spec.set)), namespaces)
    return root


def _present(
    root: etree._Element, values: dict[str, str], namespaces: Mapping[str, str], own: set[str]
) -> dict[str, str]:
    """Defaults apply where they match; the case's own paths must match (checked later)."""
    kept = {}
    for path, value in values.items():
        if path in own or root.xpath(f"boolean({path})", namespaces=dict(namespaces)):
            kept[path] = value
    return kept
