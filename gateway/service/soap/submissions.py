"""SubmitBevRecord and PushCareerBreakMutation: partners hand records over to the gateway.

A record that is well-formed and schema-valid but wrong in substance (a bad INSZ check digit,
an unknown BEE recognition, a school year without rule data) is *acknowledged* as
``rejected`` with every violation, not faulted: the SOAP exchange itself worked, and a partner
whose client treats faults as transport problems must not retry it forever. The rejection is
kept in the inbox like an acceptance, so a retry of the same message gets the same answer.
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.orm import Session

from adapters.brussels import xml as bev_xml
from adapters.brussels.mapping import bev_to_vov
from adapters.federal import xml as career_break_xml
from adapters.soap.acknowledgement import Acknowledgement, AckStatus
from gateway.errors import BrugValidationError, Violation
from gateway.identifiers.insz import mask_insz
from gateway.service.context import GatewayContext
from gateway.service.soap.calls import Handled, InboundCall, Prepared, gw

log = logging.getLogger(__name__)

BEV_KIND = "bev-record"


def _ack(
    tag: str,
    message_id: UUID,
    context: GatewayContext,
    violations: tuple[Violation, ...] = (),
    insz: str | None = None,
    provisional: tuple[str, ...] = (),
) -> Handled:
    status: AckStatus = "rejected" if violations else "accepted"
    ack = Acknowledgement(message_id, status, context.store.clock(), violations, provisional)
    return Handled(ack.to_element(gw(tag)), status, not violations, insz)


def prepare_bev_record(context: GatewayContext, call: InboundCall) -> Prepared:
    """Read the BEV message (v1 or v2) and map it to a VOV registration; touches no store."""
    tag = "SubmitBevRecordResponse"
    try:
        # The pipeline validated the payload against gateway-service-v1, which refers to both
        # BEV message versions strictly.
        read = bev_xml.from_xml(call.message, schema_checked=True)
    except BrugValidationError as exc:
        return Prepared(_ack(tag, call.header.message_id, context, exc.violations))
    record = read.body
    try:
        mapped = bev_to_vov(record, context.crosswalk, context.rules)
    except BrugValidationError as exc:
        return Prepared(
            _ack(tag, call.header.message_id, context, exc.violations, record.worker.insz)
        )
    row = context.records.inbound_row(
        partner=call.partner.name,
        message_id=call.message_id,
        kind=BEV_KIND,
        source_record_id=record.record_id,
        record=mapped.record,
        report=mapped.report.as_dict(),
    )
    # DEBUG: the pipeline's one INFO line per exchange already names the message and outcome;
    # a second INFO line per record doubled the log volume of a busy gateway.
    log.debug(
        "BEV dossier %s for worker %s mapped to %s (%d finding(s))",
        record.record_id,
        mask_insz(record.worker.insz),
        mapped.record.registration_id,
        len(mapped.report.findings),
    )
    # The partner learns that the mapping is provisional, and why, with its acknowledgement.
    handled = _ack(
        tag,
        call.header.message_id,
        context,
        insz=record.worker.insz,
        provisional=mapped.report.provisional,
    )
    return Prepared(handled, (row,))


def submit_bev_record(context: GatewayContext, call: InboundCall, tx: Session) -> Handled:
    """Keep the mapped record: :func:`prepare_bev_record`, written in the caller's unit of work."""
    prepared = prepare_bev_record(context, call)
    context.records.insert_inbound(list(prepared.inbound_records), tx=tx)
    return prepared.handled


def push_career_break_mutation(context: GatewayContext, call: InboundCall, tx: Session) -> Handled:
    """Keep new / cancelled attests; one already known counts as accepted (idempotent feed)."""
    tag = "PushCareerBreakMutationResponse"
    try:
        read = career_break_xml.mutations_from_xml(call.message)
    except BrugValidationError as exc:
        return _ack(tag, call.header.message_id, context, exc.violations)
    added = context.records.add_mutations(call.message_id, read.body, tx=tx)
    people = {m.record.insz for m in read.body}
    log.info(
        "career-break mutations: %d received, %d new, %d already known",
        len(read.body),
        added,
        len(read.body) - added,
    )
    # The audit subject names one person; a notification about several gets none.
    subject = next(iter(people)) if len(people) == 1 else None
    return _ack(tag, call.header.message_id, context, insz=subject)
