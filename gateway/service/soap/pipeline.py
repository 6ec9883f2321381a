"""The gateway's SOAP request pipeline, cheap and unauthenticated checks first.

1. hardened parse (size, DOCTYPE/XXE, entity bombs, depth) and SOAP layout -> Client fault;
2. identify the partner by its pinned certificate, verify with that partner's policy
   -> ``wsse:*`` fault (the replay check is deferred to step 5's transaction);
3. the verified payload against ``gateway-service-v1`` -> ``gw:ValidationFault`` (every
   violation);
4. the brug header bound to the verified partner (sender, recipient brug, timestamp window:
   :mod:`~gateway.service.soap.header_binding`) and authorise operation and purpose -> Client
   fault naming ``header.*`` / ``auth.operation`` / ``auth.purpose``;
5. + 6. replay key, inbox, effect, answer and audit entry in one transaction
   (:mod:`~gateway.service.soap.unit_of_work`; operations whose answer needs no store are
   prepared first and written together with other messages, :mod:`~gateway.service.soap.batch`)
   -> ``inbox.conflict`` Client fault, or a 503 Server fault when the store fails (nothing
   applied);
7. sign the answer with brug's key under the partner's profile, in the request's SOAP version.

Nothing escapes :meth:`SoapPipeline.process`: every exception becomes one of the replies of
:mod:`~gateway.service.soap.replies`, never an HTTP 500 page with a traceback. Each request is
counted once in ``brug_messages_total`` and logged once (correlation id via the log filter;
no INSZ: the log line names ids, never record content).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, replace

from lxml import etree
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import BrugValidationError, Violation
from gateway.observability.metrics import Outcome
from gateway.service.context import GatewayContext, Partner
from gateway.service.soap.authorise import authorise
from gateway.service.soap.batch import BatchWriter, Expected
from gateway.service.soap.calls import SCHEMA, InboundCall, OperationSpec
from gateway.service.soap.header_binding import bind_header
from gateway.service.soap.identify import identify, verify_as
from gateway.service.soap.operations import BY_REQUEST
from gateway.service.soap.replies import (
    ClientRefusal,
    SoapReply,
    StoreUnavailable,
    answered,
    insecure,
    internal_error,
    invalid,
    refused,
    too_large,
    unavailable,
)
from gateway.service.soap.unit_of_work import apply
from gateway.soap.envelope import (
    SoapVersion,
    envelope_element,
    first_element,
    no_operation_error,
    split_envelope,
)
from gateway.store.database import StoreError
from gateway.wssecurity import VerifiedMessage, WSSecurityFault
from gateway.wssecurity.ns import WSU
from gateway.xml import schemas
from gateway.xml.header import find_header, header_from_xml
from gateway.xml.safe_parser import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_ELEMENTS,
    ParseLimits,
    parse_xml,
)

log = logging.getLogger(__name__)

UNKNOWN = "unknown"  # metrics label before the partner / operation is known
_SIGNING_NAMESPACES = {"wsu": WSU}  # declared once on the answer's Envelope


@dataclass(slots=True)
class _Progress:
    """How far a request got: labels for the metrics and the log line."""

    version: SoapVersion
    partner: str = UNKNOWN
    operation: str = UNKNOWN
    message_id: str | None = None
    detail: str = ""


class SoapPipeline:
    """Process one request body into one reply; thread-safe (run it in a worker thread)."""

    def __init__(self, context: GatewayContext) -> None:
        self.context = context
        self.max_bytes = context.settings.server.max_body_bytes
        depth = max(
            (p.verifier.profile.max_depth for p in context.partners.values()),
            default=DEFAULT_MAX_DEPTH,
        )
        elements = max(
            (p.verifier.profile.max_elements for p in context.partners.values()),
            default=DEFAULT_MAX_ELEMENTS,
        )
        self.limits = ParseLimits(self.max_bytes, depth, elements)
        self.batch = BatchWriter(context)
        self.own_party = context.settings.server.party

    # -- entry points ------------------------------------------------------------------------

    def process(self, raw: bytes, version: SoapVersion = "1.1") -> SoapReply:
        progress = _Progress(version)
        try:
            with self.batch.expected() as expected:
                reply = self._run(raw, progress, expected)
        except (SQLAlchemyError, StoreError, StoreUnavailable, OSError) as exc:
            # Database down, disk full, lock timeout: the transaction rolled back, nothing was
            # acknowledged; the partner's retry (freshly signed) will be processed.
            progress.detail = f"store unavailable ({type(exc).__name__})"
            reply = unavailable(progress.version)
        except Exception as exc:
            # Never echo the exception (it may hold personal data); the operator's log gets
            # its type and where it happened.
            progress.detail = f"internal error ({type(exc).__name__})"
            log.error(
                "SOAP %s from %s failed with %s\n%s",
                progress.operation,
                progress.partner,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            reply = internal_error(progress.version)
        self._account(progress, reply)
        return replace(reply, partner=progress.partner, operation=progress.operation)

    def oversized(self, version: SoapVersion) -> SoapReply:
        """The reply to a body over ``server.max_body_bytes`` (refused before parsing)."""
        progress = _Progress(version, detail="request too large")
        reply = too_large(self.max_bytes, version)
        self._account(progress, reply)
        return reply

    # -- the steps ---------------------------------------------------------------------------

    def _run(self, raw: bytes, progress: _Progress, expected: Expected) -> SoapReply:
        # 1. parse
        try:
            root = parse_xml(raw, self.limits)
            envelope = split_envelope(root)
        except BrugValidationError as exc:
            progress.detail = _rules(exc.violations)
            return invalid(exc, progress.version)
        progress.version = version = envelope.version

        # 2. who, and is it really them
        try:
            partner = identify(self.context, envelope.header)
            progress.partner = partner.name
            _check_size(raw, partner)
            # The replay check is deferred into step 5's transaction (one commit per exchange).
            with self.context.replay.deferred() as claims:
                verified = verify_as(self.context, partner, root)
        except WSSecurityFault as fault:
            progress.detail = fault.code
            return insecure(fault, version)
        except BrugValidationError as exc:
            progress.detail = _rules(exc.violations)
            return invalid(exc, version)

        # 3. what, and is it well-formed
        payload = first_element(verified.body)
        spec = BY_REQUEST.get(str(payload.tag)) if payload is not None else None
        try:
            if payload is None or spec is None:
                raise no_operation_error(payload)
            progress.operation = spec.name
            schemas.validate(SCHEMA, payload)
            call = _call(partner, spec, payload, verified, version)
            progress.message_id = call.message_id
        except BrugValidationError as exc:
            progress.detail = _rules(exc.violations)
            return invalid(exc, version)

        # 4. is the header theirs, may they; 5. + 6. once, atomically
        try:
            bind_header(partner, call.header, self.own_party)
            authorise(partner, spec.name, call.header)
            if spec.prepare is not None:  # the answer needs no store: write it with others
                prepared = spec.prepare(self.context, call)
                applied = self.batch.write(call, spec, claims, prepared, expected)
            else:
                applied = apply(self.context, call, spec, claims)
        except ClientRefusal as exc:
            progress.detail = _rules(exc.violations)
            return refused(exc, version)
        except WSSecurityFault as fault:  # a replayed signature, found in the unit of work
            progress.detail = fault.code
            return insecure(fault, version)
        progress.detail = applied.outcome if not applied.repeat else "repeat: first answer"

        # 7. signed answer
        unsigned = envelope_element(applied.answer, version, declare=_SIGNING_NAMESPACES)
        answer = partner.signer.sign_element(unsigned)
        signed = etree.tostring(answer, encoding="UTF-8")
        return answered(signed, version, Outcome.ACCEPTED if applied.accepted else Outcome.REJECTED)

    def _account(self, progress: _Progress, reply: SoapReply) -> None:
        self.context.metrics.count_message(progress.partner, progress.operation, reply.outcome)
        log.log(
            logging.INFO if reply.status == 200 else logging.WARNING,
            "SOAP %s from %s message %s: HTTP %d %s %s",
            progress.operation,
            progress.partner,
            progress.message_id or "-",
            reply.status,
            reply.outcome.value,
            progress.detail,
        )


def _call(
    partner: Partner,
    spec: OperationSpec,
    payload: etree._Element,
    verified: VerifiedMessage,
    version: SoapVersion,
) -> InboundCall:
    message = first_element(payload) if spec.wrapped else payload
    assert message is not None  # the XSD requires the wrapped record
    header = header_from_xml(find_header(message))
    return InboundCall(partner, spec.name, payload, message, header, verified, version)


def _check_size(raw: bytes, partner: Partner) -> None:
    limit = partner.verifier.profile.max_message_bytes
    if len(raw) > limit:
        raise BrugValidationError(
            [Violation("/", "xml.size", f"larger than {limit} bytes (profile of {partner.name})")],
            context="SOAP request",
        )


def _rules(violations: tuple[Violation, ...]) -> str:
    return ",".join(sorted({v.rule for v in violations}))
