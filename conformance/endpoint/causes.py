"""One root cause reported once: which earlier failure makes a case meaningless.

Why: one misconfiguration (a wrong ``--peer-cert``, an endpoint that is down or answers every
request with a proxy's error page) used to fail every case the same way, and a tester had to
read nine identical failures to find the one thing to fix. Now the first case that shows it
fails, and the cases it makes meaningless are *skipped* "because <case> failed: <reason>".

Three ways a case depends on an earlier one (docs/conformance.md, "Root causes"):

* declared: ``needs: [ID, ...]`` in the catalogue; skipped when a needed case failed or was
  skipped (a needed case that was not selected with ``--case`` is ignored);
* ``answer-signature``: an answer whose signature does not verify with ``--trust`` /
  ``--peer-cert`` (the same signer signs every answer): every later case that needs a verified
  answer is skipped;
* ``endpoint``: no answer, or a non-SOAP HTTP error page, *confirmed* by a probe (``GET ?wsdl``
  and an unsigned empty SOAP request get the same): every later case is skipped.

Skipped cases keep the exit code as it is; the root cause itself failed, so the run exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.endpoint.catalogue import Case
from conformance.endpoint.checks import CauseKind


@dataclass(frozen=True, slots=True)
class RootCause:
    """The case a skip traces back to, and the first line of why it did not pass."""

    case_id: str
    verb: str  # "failed" or "was skipped"
    reason: str

    def because(self) -> str:
        return f"because {self.case_id} {self.verb}: {self.reason}"


def first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


class Causes:
    """What has not passed so far in a run, and what each later case would depend on."""

    def __init__(self) -> None:
        self._run_wide: dict[CauseKind, RootCause] = {}
        self._not_passed: dict[str, RootCause] = {}

    def blocker(self, case: Case) -> RootCause | None:
        """The root cause that makes ``case`` meaningless, if there is one."""
        if "endpoint" in self._run_wide:
            return self._run_wide["endpoint"]
        if case.needs_verified_answer and "answer-signature" in self._run_wide:
            return self._run_wide["answer-signature"]
        for needed in case.needs:
            if needed in self._not_passed:
                return self._not_passed[needed]
        return None

    def failed(self, case_id: str, reason: str, kinds: set[CauseKind]) -> RootCause:
        """Record a failed case; ``kinds`` are the run-wide classes it is the first to show."""
        root = RootCause(case_id, "failed", first_line(reason))
        self._not_passed[case_id] = root
        for kind in kinds:
            self._run_wide.setdefault(kind, root)
        return root

    def skipped(self, case_id: str, root: RootCause | None, reason: str) -> None:
        """A skipped case passes its root on to the cases that need it (or is its own root)."""
        self._not_passed[case_id] = root or RootCause(case_id, "was skipped", first_line(reason))
