"""Types shared by every mapping between schemes: the result and its report.

Mappings are pure functions returning a :class:`MappingResult`: the target record plus a
:class:`MappingReport` that accounts for every source field, so nothing is lost silently when
two regions' records are not one-to-one.
"""

from gateway.mapping.report import (
    Finding,
    FindingKind,
    MappingReport,
    MappingResult,
    ReportBuilder,
    model_field_paths,
    unaccounted_fields,
)

__all__ = [
    "Finding",
    "FindingKind",
    "MappingReport",
    "MappingResult",
    "ReportBuilder",
    "model_field_paths",
    "unaccounted_fields",
]
