"""Schema compatibility diff for XSD, WSDL 1.1 and OpenAPI 3.x (``brug conformance schema-diff``).

Three front-ends (:mod:`.xsd`, :mod:`.wsdl`, :mod:`.openapi`) normalise a schema into one tree
model (:mod:`.model`); one engine (:mod:`.compare`) walks two trees and one rule set
(:mod:`.classify`, :mod:`.values`) says, per change, whether it is BACKWARD compatible (new
schema reads old data), FORWARD compatible (old schema reads new data), both or neither, in
Apicurio Registry's terms. Rules and examples: ``docs/schema-compatibility.md``.

    >>> report = diff_files(Path("old.xsd"), Path("new.xsd"), level=Level.BACKWARD)
    >>> report.compatible, [c.kind for c in report.breaking]
"""

from __future__ import annotations

from conformance.schema_diff.changes import Change, ChangeKind, Level
from conformance.schema_diff.errors import SchemaInputError
from conformance.schema_diff.golden import GoldenResult
from conformance.schema_diff.report import DiffReport, diff_files

__all__ = [
    "Change",
    "ChangeKind",
    "DiffReport",
    "GoldenResult",
    "Level",
    "SchemaInputError",
    "diff_files",
]
