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


def snippet(data: bytes) -> str:
    text = data[:_SNIPPET].decode("utf-8", "replace").replace("\n", " ")
    return text + ("..." if len(data) > _SNIPPET else "")


def read(exchange: Exchange, judge: Judge) -> Answer:
    """Parse, read a fault, else verify and validate the payload."""
    answer = Answer(exchange)
    if not exchange.answered:
        answer.problem = f"no answer ({exchange.error})"
        return answer
    try:
        answer.parsed = parse_envelope(exchange.response)
    except BrugValidationError:
        answer.problem = (
            f"HTTP {exchange.status}, not a SOAP envelope: {snippet(exchange.response)}"
        )
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
        answer.problem = f"the answer is not signed per the profile ({exc.code}: {exc.reason})"
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


def check(expect: Expect, answers: Sequence[Answer]) -> list[str]:
    """Reasons the case fails on its answers (empty: it passes). The last answer counts."""
    last = answers[-1]
    exchange = last.exchange
    reasons: list[str] = []
    if not exchange.answered:
        return [f"no answer from the endpoint ({exchange.error})"]
    if _STACK_TRACE.search(exchange.response):
        reasons.append(f"the answer (HTTP {exchange.status}) leaks a stack trace")
    if expect.http_status and exchange.status not in expect.http_status:
        wanted = "/".join(str(s) for s in sorted(expect.http_status))
        reasons.append(f"HTTP status {exchange.status}, expected {wanted}")
    if expect.fault_code:
        reasons.extend(_check_fault(expect, last))
    if expect.valid_response and last.problem is not None:
        reasons.append(f"expected a valid signed answer: {last.problem}")
    for wanted_status, what in (
        (expect.acknowledgement, "acknowledgement"),
        (expect.message_status, "message status"),
    ):
        if wanted_status is not None:
            got = _status_text(last.payload) if last.fault is None else None
            if got != wanted_status:
                reasons.append(f"{what} {got or 'missing'}, expected {wanted_status}")
    if expect.same_answer_as_first:
        reasons.extend(_check_same(answers[0], last))
    if len(answers) > 1 and not expect.same_answer_as_first and not _accepted(answers[0]):
        reasons.append(
            f"the first copy was refused, so the second proves nothing: {answers[0].problem}"
        )
    return reasons


def _accepted(answer: Answer) -> bool:
    """Answered 2xx without a fault (signature aside: another case judges that)."""
    status = answer.exchange.status
    return answer.fault is None and status is not None and 200 <= status < 300


def _check_fault(expect: Expect, answer: Answer) -> list[str]:
    wanted = " or ".join(expect.fault_code or ())
    if answer.fault is None:
        got = answer.problem or "a normal answer"
        return [f"expected a SOAP fault {wanted}, got {got}"]
    reasons = []
    if not any(_code_matches(code, answer.fault) for code in expect.fault_code or ()):
        reasons.append(f"fault code {'/'.join(answer.fault.codes)}, expected {wanted}")
    if expect.fault_rule is not None:
        rules = sorted({v.rule for v in answer.fault.violations})
        if not any(fnmatchcase(rule, expect.fault_rule) for rule in rules):
            reasons.append(f"fault detail rules {rules or 'none'}, expected {expect.fault_rule}")
    return reasons


def _check_same(first: Answer, last: Answer) -> list[str]:
    if first.problem is not None or first.payload is None:
        return [f"the first copy got no valid answer: {first.problem}"]
    if last.problem is not None or last.payload is None:
        return [f"the retry got no valid answer: {last.problem}"]
    if exc_c14n(first.payload) != exc_c14n(last.payload):
        return [
            "the retry was answered differently from the first copy (a second effect?): "
            f"first {snippet(exc_c14n(first.payload))} / retry {snippet(exc_c14n(last.payload))}"
        ]
    return []


def check_no_trace(no_trace: NoTrace, answer: Answer) -> list[str]:
    """The follow-up query must be answered validly and find nothing."""
    if answer.problem is not None or answer.payload is None:
        return [f"no-trace query ({no_trace.query.operation}) failed: {answer.problem}"]
    if no_trace.expect == "unknown":
        got = _status_text(answer.payload)
        if got != "unknown":
            return [f"the refused message left a trace: {no_trace.query.operation} says {got}"]
        return []
    found = [etree.QName(e).localname for e in answer.payload if isinstance(e.tag, str)]
    if not {"notFound", "introuvable"} & set(found):
        return [f"the refused message left a trace: {no_trace.query.operation} found {found}"]
    return []


def check_wsdl(exchange: Exchange, published: bytes) -> list[str]:
    if not exchange.answered:
        return [f"no answer to GET ?wsdl ({exchange.error})"]
    if exchange.status != 200:
        return [f"GET ?wsdl answered HTTP {exchange.status}: {snippet(exchange.response)}"]
    try:
        difference = wsdl_difference(published, exchange.response)
    except BrugValidationError as exc:
        return [f"the served WSDL is not XML: {exc}"]
    if difference is not None:
        return ["the served WSDL differs from the published one:\n" + difference]
    return []
