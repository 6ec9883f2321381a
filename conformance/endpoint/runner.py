"""Running a catalogue against one endpoint: build, send, judge, record.

Cases run one after the other (some depend on the endpoint's state: a replay, a retry, a
no-trace query), each with its own message id and record ids, so that they never see each
other's messages and a catalogue can be rerun against the same endpoint at once.

Before a case is sent, :mod:`conformance.endpoint.causes` says whether an earlier failure makes
it meaningless (it is then skipped naming that failure); after a failure, it records what the
failure makes meaningless, probing the endpoint first when the failure looks like the
endpoint's own (no answer, an error page).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
from cryptography import x509

from conformance.endpoint.catalogue import Case, Catalogue, RequestSpec
from conformance.endpoint.causes import Causes, RootCause
from conformance.endpoint.checks import CauseKind, Check, failed, reasons
from conformance.endpoint.expectations import (
    Answer,
    Judge,
    check,
    check_no_trace,
    check_wsdl,
    error_page,
    read,
)
from conformance.endpoint.identities import Identity
from conformance.endpoint.mutations import outgoing
from conformance.endpoint.templates import Substitutions, TemplateError, build_payload
from conformance.endpoint.transport import Exchange, get, post, tls_context
from conformance.endpoint.wsdl import WSDL_OPERATION, Contract, contract
from gateway.wssecurity import InMemoryReplayCache, TrustStore, Verifier, load_profile

Outcome = Literal["passed", "failed", "skipped"]


class TargetUnreachableError(RuntimeError):
    """The target answers nothing at all (connection refused, DNS, TLS): a bad argument."""


@dataclass(frozen=True, slots=True)
class RunConfig:
    target: str
    catalogue: Catalogue
    identities: Mapping[str, Identity]
    trust: Sequence[Path] = ()
    peer_cert: Path | None = None
    case_ids: Sequence[str] = ()
    timeout: float = 15.0
    #: False accepts any TLS server certificate (``--insecure``; reported loudly by the CLI).
    verify_tls: bool = True
    #: Private CAs that the target's TLS certificate may chain to (``--ca``).
    tls_ca: Sequence[Path] = ()
    #: TLS client certificate and key for an endpoint with mutual TLS (``--tls-cert/--tls-key``).
    tls_cert: Path | None = None
    tls_key: Path | None = None


@dataclass(slots=True)
class CaseResult:
    case: Case
    outcome: Outcome
    reasons: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    seconds: float = 0.0
    caller: str = ""
    #: every expectation checked, passed or not (empty for a skipped case)
    checks: list[Check] = field(default_factory=list)
    #: the id of the failed case this one was skipped because of (None: not skipped for that)
    skipped_because: str | None = None


@dataclass(slots=True)
class SuiteResult:
    service: str
    target: str
    results: list[CaseResult]
    seconds: float
    #: How the run reached the target, for the reports: see :func:`transport_note`.
    transport: str = ""

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def dependents(self, case_id: str) -> list[str]:
        """The cases skipped because ``case_id`` failed (it is their root cause)."""
        return [r.case.id for r in self.results if r.skipped_because == case_id]

    @property
    def root_causes(self) -> list[CaseResult]:
        """Failed cases that made others meaningless, in run order."""
        return [r for r in self.results if r.outcome == "failed" and self.dependents(r.case.id)]

    @property
    def failed_ids(self) -> list[str]:
        return [r.case.id for r in self.results if r.outcome == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed_ids else 0


class _Session:
    """Per-run state: HTTP client, answer verifiers per profile, the contract."""

    def __init__(self, config: RunConfig, client: httpx.Client) -> None:
        self.config = config
        self.client = client
        self.catalogue = config.catalogue
        self.contract: Contract = contract(config.catalogue.service)
        self._verifiers: dict[str, Verifier | None] = {}
        self._trust = TrustStore.from_pem_files(config.trust) if config.trust else None
        self._pins = (
            [x509.load_pem_x509_certificate(config.peer_cert.read_bytes())]
            if config.peer_cert is not None
            else []
        )
        self._replays = InMemoryReplayCache()

    def verifier(self, caller: str) -> Verifier | None:
        """Answers are verified under the profile the caller signs with (as brug answers)."""
        if caller not in self._verifiers:
            identity = self.config.identities.get(caller)
            profile = (
                identity.profile
                if identity is not None
                else load_profile(self.catalogue.callers[caller].profile)
            )
            self._verifiers[caller] = (
                Verifier(profile, self._trust, self._pins, self._replays)
                if self._trust is not None
                else None
            )
        return self._verifiers[caller]

    def judge(self, operation: str, caller: str) -> Judge:
        return Judge(
            self.verifier(caller),
            self.contract.operations[operation].output_element,
            self.catalogue.response_schema,
        )

    def send(
        self, operation: str, spec: RequestSpec, case: Case, identity: Identity, subs: Substitutions
    ) -> list[Exchange]:
        payload = build_payload(spec, self.catalogue.namespaces, subs, self.catalogue.defaults.set)
        action = self.contract.operations[operation].action
        bodies = outgoing(payload, case.mutate, identity, spec.soap_version)
        return [
            post(self.client, self.config.target, b.label, b.data, spec.soap_version, action)
            for b in bodies
        ]


def _run_case(session: _Session, case: Case, caller: str, identity: Identity | None) -> CaseResult:
    result = CaseResult(case, "passed", caller=caller)
    if case.operation == WSDL_OPERATION:
        exchange = get(session.client, session.config.target + "?wsdl", "wsdl")
        result.exchanges.append(exchange)
        result.checks = [check_wsdl(exchange, session.contract.path.read_bytes())]
    else:
        assert case.request is not None and identity is not None  # checked before
        subs = Substitutions()
        judge = session.judge(case.operation, caller)
        try:
            result.exchanges = session.send(case.operation, case.request, case, identity, subs)
            answers: list[Answer] = [read(e, judge) for e in result.exchanges]
            result.checks = check(case.expect, answers)
            no_trace = case.expect.no_trace
            if no_trace is not None:
                plain = case.model_copy(update={"mutate": type(case.mutate)()})
                query = session.send(
                    no_trace.query.operation, no_trace.query, plain, identity, subs
                )
                query[0].label = f"no-trace {no_trace.query.operation}"
                result.exchanges.extend(query)
                query_judge = session.judge(no_trace.query.operation, caller)
                result.checks.append(check_no_trace(no_trace, read(query[0], query_judge)))
        except TemplateError as exc:
            detail = f"the case does not fit its template: {exc}"
            result.checks.append(failed("template", "the case fits its template", str(exc), detail))
    result.reasons = reasons(result.checks)
    if result.reasons:
        result.outcome = "failed"
    return result


def _failure_key(exchange: Exchange) -> str | None:
    """How an exchange fails as an endpoint (no answer, an error page), comparable across them."""
    if not exchange.answered:
        return "no answer"
    if error_page(exchange):
        return f"HTTP {exchange.status} (not SOAP)"
    return None


_PROBE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'
)


def _confirm_endpoint_failure(session: _Session, result: CaseResult) -> bool:
    """Probe with ``GET ?wsdl`` and an unsigned empty SOAP request: the same failure for both?

    Only then is the endpoint itself the cause (down, wrong URL, a proxy's error page) and not
    this case's message; the probes are added to the case's exchanges as evidence.
    """
    keys = [k for k in (_failure_key(e) for e in result.exchanges) if k is not None]
    if not keys:
        return False
    target = session.config.target
    probes = [
        get(session.client, target + "?wsdl", "probe GET ?wsdl"),
        post(session.client, target, "probe unsigned empty SOAP request", _PROBE, "1.1", ""),
    ]
    result.exchanges.extend(probes)
    got = [_failure_key(p) for p in probes]
    confirmed = got == [keys[0], keys[0]]
    shown = [k or f"HTTP {p.status}, SOAP" for p, k in zip(probes, got, strict=True)]
    actual = "; ".join(f"{p.label}: {k}" for p, k in zip(probes, shown, strict=True))
    probed = "the probes (GET ?wsdl, an unsigned SOAP request)"
    detail = (
        f"the endpoint stopped answering: {probed} got no answer either"
        if keys[0] == "no answer"
        else f"the endpoint answers every request with {keys[0]}: {probed} got the same"
    )
    result.checks.append(
        failed("endpoint_probe", "the endpoint answers SOAP", actual, detail)
        if confirmed
        else Check("endpoint_probe", "the endpoint answers SOAP", actual, True)
    )
    result.reasons = reasons(result.checks)
    return confirmed


def root_reason(result: CaseResult) -> str:
    """What a failed case is reported with as a root cause: a confirmed probe says it best."""
    probe = [c.detail for c in result.checks if c.name == "endpoint_probe" and not c.passed]
    return probe[0] if probe else (result.reasons[0] if result.reasons else "")


def _judged(session: _Session, causes: Causes, case: Case) -> CaseResult:
    """Run one case unless it lacks credentials or an earlier failure makes it meaningless."""
    caller = session.catalogue.caller_of(case)
    identity = session.config.identities.get(caller)
    if case.operation != WSDL_OPERATION and identity is None:
        why = f"no credentials for caller {caller!r} (pass --identity {caller}=...)"
        causes.skipped(case.id, None, why)
        return CaseResult(case, "skipped", [why], caller=caller)
    blocker: RootCause | None = causes.blocker(case)
    if blocker is not None:
        causes.skipped(case.id, blocker, "")
        why = blocker.because()
        return CaseResult(case, "skipped", [why], caller=caller, skipped_because=blocker.case_id)
    result = _run_case(session, case, caller, identity)
    if result.outcome == "failed":
        kinds: set[CauseKind] = {c.cause for c in result.checks if not c.passed and c.cause}
        if "endpoint" in kinds and not _confirm_endpoint_failure(session, result):
            kinds.discard("endpoint")
        causes.failed(case.id, root_reason(result), kinds)
    return result


def transport_note(config: RunConfig) -> str:
    """One phrase for the reports: plain HTTP, verified TLS (mutual or not), or NOT verified."""
    if not config.target.startswith("https://"):
        return "plain HTTP (no TLS)"
    client = ", client certificate presented" if config.tls_cert is not None else ""
    if not config.verify_tls:
        return f"TLS, server certificate NOT verified (--insecure){client}"
    return f"TLS, server certificate verified{client}"


def preflight(client: httpx.Client, target: str, client_cert: bool = False) -> None:
    """Any HTTP answer at all will do; no connection is a bad ``--target`` (exit 2).

    The message says what to try when TLS is the likely cause: a private CA (``--ca``), or an
    endpoint that wants a client certificate (under TLS 1.3 it simply hangs up on a client that
    has none: "disconnected without sending a response").
    """
    try:
        client.get(target + "?wsdl")
    except httpx.HTTPError as exc:
        text = str(exc)
        hint = ""
        if "CERTIFICATE_VERIFY_FAILED" in text:
            hint = " (a private CA? trust it with --ca CA.pem)"
        elif "CERTIFICATE_REQUIRED" in text or (
            target.startswith("https://")
            and not client_cert
            and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError)
        ):
            hint = (
                " (an endpoint with mutual TLS hangs up on a client without a certificate: "
                "give yours with --tls-cert and --tls-key)"
            )
        raise TargetUnreachableError(
            f"{target} is unreachable: {type(exc).__name__}: {text}{hint}"
        ) from None


def run_suite(
    config: RunConfig, progress: Callable[[CaseResult], None] | None = None
) -> SuiteResult:
    """Run the selected cases in catalogue order; raise TargetUnreachableError first if need be."""
    started = time.perf_counter()
    cases = config.catalogue.select(tuple(config.case_ids))
    results: list[CaseResult] = []
    tls = tls_context(config.tls_ca, config.tls_cert, config.tls_key, verify=config.verify_tls)
    with httpx.Client(timeout=config.timeout, verify=tls) as client:
        preflight(client, config.target, client_cert=config.tls_cert is not None)
        session = _Session(config, client)
        causes = Causes()
        for case in cases:
            case_started = time.perf_counter()
            result = _judged(session, causes, case)
            result.seconds = time.perf_counter() - case_started
            results.append(result)
            if progress is not None:
                progress(result)
    return SuiteResult(
        config.catalogue.service,
        config.target,
        results,
        time.perf_counter() - started,
        transport_note(config),
    )
