"""``--golden``: do the OLD version's golden messages still validate against the NEW schema?

This is the empirical side of BACKWARD compatibility: the diff says what *may* break, the
golden files show what *does*. Only files whose root element is a global element of OLD, in
OLD's target namespace, are checked (a directory of examples may hold every schema's
messages); a file that is not even valid under OLD is reported but does not count. Validation
uses lxml's XMLSchema with a resolver that serves only the schema documents already loaded
from under the schema root: no network, no other file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from lxml import etree

from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.loader import SchemaSet, read_xml
from gateway.identifiers.insz import mask_insz

_INSZ_LIKE = re.compile(r"(?<!\d)\d{11}(?!\d)")
MAX_ERRORS = 5


@dataclass(frozen=True, slots=True)
class GoldenResult:
    """One golden file: valid under OLD? under NEW? and NEW's first errors (INSZ masked)."""

    file: str
    valid_old: bool
    valid_new: bool
    errors: tuple[str, ...] = ()

    @property
    def fails(self) -> bool:
        """A BACKWARD failure: valid OLD data that NEW rejects."""
        return self.valid_old and not self.valid_new

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "valid_old": self.valid_old,
            "valid_new": self.valid_new,
            "fails": self.fails,
            "errors": list(self.errors),
        }


def _errors(schema: etree.XMLSchema) -> tuple[str, ...]:
    messages = [
        f"line {entry.line}: {_INSZ_LIKE.sub(lambda m: mask_insz(m.group()), entry.message)}"
        for entry in cast(Iterable[etree._LogEntry], schema.error_log)
    ]
    return tuple(messages[:MAX_ERRORS])


def _belongs_to(root: etree._Element, schemas: SchemaSet, namespace: str) -> bool:
    qname = etree.QName(root)
    if (qname.namespace or "") != namespace:
        return False
    clark = f"{{{namespace}}}{qname.localname}" if namespace else qname.localname
    return schemas.find("element", clark) is not None


def check_golden(
    directory: Path,
    old: tuple[SchemaSet, Path, str],
    new: tuple[SchemaSet, Path],
) -> list[GoldenResult]:
    """Validate every ``*.xml`` in ``directory`` that is an OLD message against NEW.

    ``old`` is (schema set, main file, target namespace); ``new`` is (schema set, main file).
    """
    if not directory.is_dir():
        raise SchemaInputError(f"{directory}: golden directory not found")
    old_set, old_path, old_namespace = old
    new_set, new_path = new
    old_schema = old_set.compile(old_path)
    new_schema = new_set.compile(new_path)
    results: list[GoldenResult] = []
    for path in sorted(directory.glob("*.xml")):
        try:
            _, root = read_xml(path)
        except SchemaInputError:
            continue  # not well-formed or refused: not a golden message of anything
        if not _belongs_to(root, old_set, old_namespace):
            continue
        valid_old = bool(old_schema.validate(root))
        valid_new = bool(new_schema.validate(root))
        errors = () if valid_new else _errors(new_schema)
        results.append(GoldenResult(str(path), valid_old, valid_new, errors))
    return results


__all__ = ["GoldenResult", "check_golden"]
