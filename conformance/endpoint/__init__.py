"""Endpoint conformance: does a partner's SOAP endpoint speak one of brug's WSDL contracts?

Integration testers (Brussels, the federal side, Flanders) point the suite at their endpoint
before going live. The cases are data (``conformance/cases/<service>.yaml``, checked by
:mod:`~conformance.endpoint.catalogue`), the request templates are the golden messages
(``conformance/golden``, checked by :mod:`~conformance.endpoint.golden`), and the suite acts as
a real partner would: it signs with the tester's key, breaks messages on purpose
(:mod:`~conformance.endpoint.mutations`), and verifies the answers with the peer's certificate
(:mod:`~conformance.endpoint.expectations`).

Public API::

    catalogue = load_catalogue("gateway-service-v1")
    config = RunConfig(target=url, catalogue=catalogue, identities=..., trust=..., pins=...)
    result = run_suite(config)          # SuiteResult; result.exit_code is 0 or 1
    result.root_causes, result.dependents(case_id), result.results[i].checks
    write_junit(result, path); write_html(result, path, docs_base=None)
"""

from __future__ import annotations

from conformance.endpoint.catalogue import (
    Case,
    Catalogue,
    CatalogueError,
    catalogue_path,
    load_catalogue,
    load_catalogue_file,
)
from conformance.endpoint.golden import GoldenResult, check_corpus
from conformance.endpoint.identities import Identity, ephemeral_identity
from conformance.endpoint.reports.html import write_html
from conformance.endpoint.reports.junit import write_junit
from conformance.endpoint.runner import (
    CaseResult,
    RunConfig,
    SuiteResult,
    TargetUnreachableError,
    run_suite,
)

__all__ = [
    "Case",
    "CaseResult",
    "Catalogue",
    "CatalogueError",
    "GoldenResult",
    "Identity",
    "RunConfig",
    "SuiteResult",
    "TargetUnreachableError",
    "catalogue_path",
    "check_corpus",
    "ephemeral_identity",
    "load_catalogue",
    "load_catalogue_file",
    "run_suite",
    "write_html",
    "write_junit",
]
