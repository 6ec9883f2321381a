"""Judging answers: every expectation of a case yields a reason when it is not met.

Why brug's own policy and not "HTTP 200 and it parses": a partner's client must be able to
*rely* on an answer, so a valid response here means what brug's clients require in production
(adapters/soap/exchange.py): a SOAP answer, signed per the service profile by a certificate
that chains to the tester's trust anchors (and is the pinned peer certificate when given),
fresh, with the operation's response element valid against its XSD. Faults are read without
verification, as partners do not sign them.

Fault codes are matched by local name (prefixes are the sender's choice): ``soap:Client``
accepts SOAP 1.1 ``Client`` and SOAP 1.2 ``Sender`` (``soap:Server``: ``Server``/``Receiver``);
any other code, e.g. ``wsse:FailedCheck``, must be the fault code or its 1.2 Subcode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from lxml import etree

from conformance.endpoint.catalogue import Expect, NoTrace
from conformance.endpoint.checks import CauseKind, Check, failed, passed, verdict
from conformance.endpoint.transport import Exchange
from conformance.endpoint.wsdl import wsdl_difference
from gateway.errors import BrugValidationError
from gateway.soap.envelope import ParsedEnvelope, first_element, parse_envelope
from gateway.soap.faults import SoapFault, parse_fault
from gateway.wssecurity import Verifier, WSSecurityFault
from gateway.wssecurity.algorithms import exc_c14n
from gateway.xml import schemas

_STACK_TRACE = re.compile(
    rb"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\tat [\w$.]+\("
)
_CODE_CLASSES = {"Client": {"Client", "Sender"}, "Server": {"Server", "Receiver"}}
_SNIPPET = 160


@dataclass(frozen=True, slots=True)
class Judge:
    """What answers of one case are checked against."""

    verifier: Verifier | None
    output_element: str
    response_schema: str


@dataclass(slots=True)
class Answer:
    """One exchange read as SOAP: the envelope, a fault, or a verified payload."""

    exchange: Exchange
    parsed: ParsedEnvelope | None = None
    fault: SoapFault | None = None
    payload: etree._Element | None = None
    problem: str | None = None  # why it is not a verified, valid answer (None: it is)
    #: the run-wide failure class the problem belongs to (see conformance.endpoint.causes)
    cause: CauseKind | None = None


def snippet(data: bytes) -> str:
    text = data[:_SNIPPET].decode("utf-8", "replace").replace("\n", " ")
    return text + ("..." if len(data) > _SNIPPET else "")


#: The tester's own options are the likely cause of these verifier reasons (gateway.wssecurity
#: .trust words them): say which option to look at.
_HINTS = (
    (
        "is not one of the pinned partner certificates",
        "is --peer-cert the certificate the endpoint signs its answers with?",
    ),
    ("is not trusted", "does --trust hold the CA of the endpoint's signing certificate?"),
)


def _hint(reason: str) -> str:
    return next((f" - {hint}" for text, hint in _HINTS if text in reason), "")


def error_page(exchange: Exchange) -> bool:
    """An HTTP error answered with something that is not SOAP (a proxy's or server's page)."""
    if exchange.status is None or exchange.status < 400:
        return False
    try:
        parse_envelope(exchange.response)
    except BrugValidationError:
        return True
    return False


def read(exchange: Exchange, judge: Judge) -> Answer:
    """Parse, read a fault, else verify and validate the payload."""
    answer = Answer(exchange)
    if not exchange.answered:
        answer.problem = f"no answer ({exchange.error})"
        answer.cause = "endpoint"
        return answer
    try:
        answer.parsed = parse_envelope(exchange.response)
    except BrugValidationError:
        answer.problem = (
            f"HTTP {exchange.status}, not a SOAP envelope: {snippet(exchange.response)}"
        )
        answer.cause = "endpoint" if error_page(exchange) else None
        return answer
    answer.fault = parse_fault(answer.parsed.body)
    if answer.fault is not None:
        answer.problem = f"HTTP {exchange.status}, {answer.fault.describe()}"
        return answer
    answer.payload = answer.parsed.payload  # unverified until proven otherwise, for diagnosis
    if exchange.status is None or not 200 <= exchange.status < 300:
        answer.problem = f"HTTP {exchange.status} for an answer that is not a fault"
        return answer
    if judge.verifier is None:
        answer.problem = "no trust anchors given (--trust): the answer cannot be verified"
        return answer
    try:
        verified = judge.verifier.verify(exchange.response)
    except WSSecurityFault as exc:
        answer.problem = (
            f"the answer is not signed per the profile ({exc.code}: {exc.reason})"
            f"{_hint(exc.reason)}"
        )
        answer.cause = "answer-signature"
        return answer
    answer.payload = first_element(verified.body)
    if answer.payload is None:
        answer.problem = "the answer's Body is empty"
        return answer
    if answer.payload.tag != judge.output_element:
        answer.problem = f"the answer is {answer.payload.tag}, the WSDL says {judge.output_element}"
        return answer
    try:
        schemas.validate(judge.response_schema, answer.payload)
    except BrugValidationError as exc:
        listed = "; ".join(f"{v.path}: [{v.rule}] {v.message}" for v in exc.violations[:5])
        answer.problem = f"the answer is not valid against {judge.response_schema}: {listed}"
    return answer


def _code_matches(expected: str, fault: SoapFault) -> bool:
    local = expected.rsplit(":", 1)[-1]
    codes = [c.split(".", 1)[0] for c in fault.codes]
    if local in _CODE_CLASSES:
        return codes[:1] != [] and codes[0] in _CODE_CLASSES[local]
    return local in fault.codes


def _status_text(payload: etree._Element | None) -> str | None:
    if payload is None:
        return None
    found = payload.find("{*}status")
    return None if found is None else (found.text or "").strip()


def check(expect: Expect, answers: Sequence[Answer]) -> list[Check]:
    """Every expectation of the case, checked on its answers. The last answer counts."""
    last = answers[-1]
    exchange = last.exchange
    if not exchange.answered:
        detail = f"no answer from the endpoint ({exchange.error})"
        return [failed("answer", "an HTTP answer", f"none: {exchange.error}", detail, "endpoint")]
    # a non-SOAP error page explains every failed check below: one run-wide class for them all
    page = last.cause if last.cause == "endpoint" else None
    checks = [_no_stack_trace(exchange)]
    if expect.http_status:
        wanted = "/".join(str(s) for s in sorted(expect.http_status))
        ok = exchange.status in expect.http_status
        detail = f"HTTP status {exchange.status}, expected {wanted}"
        checks.append(
            passed("http_status", wanted, str(exchange.status))
            if ok
            else failed("http_status", wanted, str(exchange.status), detail, page)
        )
    if expect.fault_code:
        checks.extend(_check_fault(expect, last, page))
    if expect.valid_response:
        checks.append(_valid_response(last))
    for name, wanted_status, what in (
        ("acknowledgement", expect.acknowledgement, "acknowledgement"),
        ("message_status", expect.message_status, "message status"),
    ):
        if wanted_status is not None:
            got = _status_text(last.payload) if last.fault is None else None
            detail = f"{what} {got or 'missing'}, expected {wanted_status}"
            checks.append(
                passed(name, wanted_status, got or "missing")
                if got == wanted_status
                else failed(name, wanted_status, got or "missing", detail, last.cause)
            )
    if expect.same_answer_as_first:
        checks.append(_check_same(answers[0], last))
    if len(answers) > 1 and not expect.same_answer_as_first:
        first = answers[0]
        ok = _accepted(first)
        actual = "accepted" if ok else (first.problem or "refused")
        detail = f"the first copy was refused, so the second proves nothing: {first.problem}"
        checks.append(
            passed("first_copy_accepted", "the first copy accepted", actual)
            if ok
            else failed("first_copy_accepted", "the first copy accepted", actual, detail, page)
        )
    return checks


def _no_stack_trace(exchange: Exchange) -> Check:
    leaks = bool(_STACK_TRACE.search(exchange.response))
    return verdict(
        "no_stack_trace",
        "no stack trace in the answer",
        "a stack trace" if leaks else "none",
        not leaks,
        f"the answer (HTTP {exchange.status}) leaks a stack trace",
    )


def _valid_response(answer: Answer) -> Check:
    expected = "a signed, verified, schema-valid answer"
    if answer.problem is None:
        return passed("valid_response", expected, "signed, verified, valid")
    detail = f"expected a valid signed answer: {answer.problem}"
    return failed("valid_response", expected, answer.problem, detail, answer.cause)


def _accepted(answer: Answer) -> bool:
    """Answered 2xx without a fault (signature aside: another case judges that)."""
    status = answer.exchange.status
    return answer.fault is None and status is not None and 200 <= status < 300


def _check_fault(expect: Expect, answer: Answer, page: CauseKind | None) -> list[Check]:
    wanted = " or ".join(expect.fault_code or ())
    if answer.fault is None:
        got = answer.problem or "a normal answer"
        detail = f"expected a SOAP fault {wanted}, got {got}"
        return [failed("fault_code", wanted, f"no fault: {got}", detail, page)]
    codes = "/".join(answer.fault.codes)
    ok = any(_code_matches(code, answer.fault) for code in expect.fault_code or ())
    checks = [verdict("fault_code", wanted, codes, ok, f"fault code {codes}, expected {wanted}")]
    if expect.fault_rule is not None:
        rules = sorted({v.rule for v in answer.fault.violations})
        ok = any(fnmatchcase(rule, expect.fault_rule) for rule in rules)
        detail = f"fault detail rules {rules or 'none'}, expected {expect.fault_rule}"
        shown = ", ".join(rules) or "none"
        checks.append(verdict("fault_rule", expect.fault_rule, shown, ok, detail))
    return checks


def _check_same(first: Answer, last: Answer) -> Check:
    name, expected = "same_answer_as_first", "the same answer to both copies"
    if first.problem is not None or first.payload is None:
        detail = f"the first copy got no valid answer: {first.problem}"
        return failed(name, expected, f"first copy: {first.problem}", detail, first.cause)
    if last.problem is not None or last.payload is None:
        detail = f"the retry got no valid answer: {last.problem}"
        return failed(name, expected, f"retry: {last.problem}", detail, last.cause)
    if exc_c14n(first.payload) != exc_c14n(last.payload):
        detail = (
            "the retry was answered differently from the first copy (a second effect?): "
            f"first {snippet(exc_c14n(first.payload))} / retry {snippet(exc_c14n(last.payload))}"
        )
        return failed(name, expected, "different answers", detail)
    return passed(name, expected, "canonically equal")


def check_no_trace(no_trace: NoTrace, answer: Answer) -> Check:
    """The follow-up query must be answered validly and find nothing."""
    operation = no_trace.query.operation
    expected = f"{operation} answers {no_trace.expect}"
    if answer.problem is not None or answer.payload is None:
        detail = f"no-trace query ({operation}) failed: {answer.problem}"
        return failed("no_trace", expected, f"failed: {answer.problem}", detail, answer.cause)
    if no_trace.expect == "unknown":
        got = _status_text(answer.payload)
        detail = f"the refused message left a trace: {operation} says {got}"
        return verdict("no_trace", expected, f"{operation} says {got}", got == "unknown", detail)
    found = [etree.QName(e).localname for e in answer.payload if isinstance(e.tag, str)]
    ok = bool({"notFound", "introuvable"} & set(found))
    detail = f"the refused message left a trace: {operation} found {found}"
    return verdict("no_trace", expected, f"{operation} found {', '.join(found)}", ok, detail)


def check_wsdl(exchange: Exchange, published: bytes) -> Check:
    expected = "HTTP 200 with the published WSDL"
    if not exchange.answered:
        detail = f"no answer to GET ?wsdl ({exchange.error})"
        return failed("wsdl_matches", expected, f"no answer: {exchange.error}", detail, "endpoint")
    if exchange.status != 200:
        detail = f"GET ?wsdl answered HTTP {exchange.status}: {snippet(exchange.response)}"
        cause: CauseKind | None = "endpoint" if error_page(exchange) else None
        return failed("wsdl_matches", expected, f"HTTP {exchange.status}", detail, cause)
    try:
        difference = wsdl_difference(published, exchange.response)
    except BrugValidationError as exc:
        return failed("wsdl_matches", expected, "not XML", f"the served WSDL is not XML: {exc}")
    if difference is not None:
        detail = "the served WSDL differs from the published one:\n" + difference
        return failed("wsdl_matches", expected, "a different WSDL", detail)
    return passed("wsdl_matches", expected, "the published WSDL")
