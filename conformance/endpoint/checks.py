"""One expectation checked: what was expected, what came back, whether it held.

Why a record and not a list of reasons: a tester reading a report wants to see every step the
suite checked (the status, the fault code, the rule, the signature, the follow-up query), not
only the ones that failed, to tell "checked and fine" from "not checked at all". The reports
list the checks of each case; a case's reasons are the ``detail`` of its failed checks.

``cause`` names a failure class that is not the case's own business but a property of the
whole run (see :mod:`conformance.endpoint.causes`): the first case failing with it is reported
as the root cause, later cases that would fail the same way are skipped because of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: ``answer-signature``: an answer's signature did not verify with ``--trust`` / ``--peer-cert``;
#: ``endpoint``: no answer, or a non-SOAP HTTP error page (confirmed by the runner's probe).
CauseKind = Literal["answer-signature", "endpoint"]


@dataclass(frozen=True, slots=True)
class Check:
    """One step of a case: ``name`` is the expectation (``http_status``, ``fault_code``, ...)."""

    name: str
    expected: str
    actual: str
    passed: bool
    #: The sentence a failure is reported with (empty when the check passed).
    detail: str = ""
    cause: CauseKind | None = None


def passed(name: str, expected: str, actual: str) -> Check:
    return Check(name, expected, actual, True)


def failed(
    name: str, expected: str, actual: str, detail: str, cause: CauseKind | None = None
) -> Check:
    return Check(name, expected, actual, False, detail, cause)


def verdict(name: str, expected: str, actual: str, ok: bool, detail: str) -> Check:
    return Check(name, expected, actual, ok, "" if ok else detail)


def reasons(checks: list[Check]) -> list[str]:
    """The failure sentences, in the order the checks were made."""
    return [c.detail for c in checks if not c.passed]
