"""The Brussels BEV service operations: ReceiveBevRecord and GetBevRecord.

Verification uses brug's ``strict`` profile (Brussels has no published profile of its own),
trusting the dev CA and pinning the gateway's certificate when given; answers are signed with
the ``brussels`` key. The record is read with the same BEV binding the gateway writes with
(:mod:`adapters.brussels.xml`), so a wire-version mismatch shows up as a validation fault.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from lxml import etree
from starlette.types import ASGIApp

from adapters.brussels import xml as bev_xml
from adapters.brussels.simulator.store import BevStore
from adapters.simulation.app import build_app as build_simulator_app
from adapters.simulation.credentials import signer_for, verifier_for
from adapters.simulation.faults import FaultInjector, FaultSettings
from adapters.simulation.received import ReceivedLog
from adapters.soap.server import Operation, SoapFaultError, SoapRequest, SoapService
from gateway.errors import BrugValidationError
from gateway.identifiers.insz import mask_insz
from gateway.models.header import MessageHeader, Party
from gateway.soap.faults import GW_NS
from gateway.xml.header import find_header, header_from_xml

log = logging.getLogger(__name__)

BS_NS = "urn:be:brug:brussels:bev-service:1"
PATH = "/services/bev/v1"
PROFILE = "strict"
PARTY = "brussels"
PARTY_CODE = "brussels-bee"


def _q(local: str) -> str:
    return f"{{{BS_NS}}}{local}"


@dataclass(frozen=True, slots=True)
class BrusselsSimulatorConfig:
    pki_dir: Path
    db_path: Path | None = None
    gateway_cert: Path | None = None
    faults: FaultSettings | None = None
    max_bytes: int = 2 * 1024 * 1024


class BevOperations:
    """The two operations over one :class:`BevStore`."""

    def __init__(self, store: BevStore) -> None:
        self.store = store

    def receive(self, request: SoapRequest) -> etree._Element:
        message = next(e for e in request.payload if isinstance(e.tag, str))
        version = bev_xml.version_of(message)
        read = bev_xml.from_xml(message)
        ack, first = self.store.receive(
            read.header.message_id, read.body, version, read.header.sender.code
        )
        log.info(
            "ReceiveBevRecord %s dossier %s worker %s: %s",
            read.header.message_id,
            read.body.record_id,
            mask_insz(read.body.worker.insz),
            "stored" if first else "repeat, first acknowledgement answered",
        )
        return ack.to_element(_q("ReceiveBevRecordResponse"))

    def get(self, request: SoapRequest) -> etree._Element:
        asked = header_from_xml(find_header(request.payload))
        record_id = request.payload.findtext(_q("identifiantDossier")) or ""
        response = etree.Element(_q("GetBevRecordResponse"), nsmap={"bs": BS_NS})
        record = self.store.latest(record_id)
        if record is None:
            missing = etree.SubElement(response, _q("introuvable"))
            etree.SubElement(missing, f"{{{GW_NS}}}reason").text = "no BEV record with this id"
            return response
        header = MessageHeader(
            message_id=uuid4(),
            timestamp=datetime.now(UTC),
            sender=Party(code=PARTY_CODE),
            recipient=asked.sender,
            purpose=asked.purpose,
            legal_basis=asked.legal_basis,
            correlation_id=str(asked.message_id),
        )
        try:
            response.append(bev_xml.to_xml(record, header, 2))
        except BrugValidationError:
            # GetBevRecord answers in v2 only; a record only v1 can carry has no faithful answer.
            raise SoapFaultError(
                "receiver", f"dossier {record_id} cannot be represented in BEV v2"
            ) from None
        return response


def build_app(config: BrusselsSimulatorConfig) -> tuple[ASGIApp, BevStore]:
    """The ASGI app and its store (the store is returned for in-process inspection)."""
    store = BevStore(str(config.db_path) if config.db_path is not None else None)
    ops = BevOperations(store)
    received = ReceivedLog()
    injector = FaultInjector(config.faults)
    service = SoapService(
        path=PATH,
        wsdl="brussels-bev-service-v1",
        schema="bev-service-v1",
        verifier=verifier_for(config.pki_dir, PROFILE, pin=config.gateway_cert),
        signer=signer_for(config.pki_dir, PARTY, PROFILE),
        operations=[
            Operation("ReceiveBevRecord", _q("ReceiveBevRecordRequest"), ops.receive),
            Operation("GetBevRecord", _q("GetBevRecordRequest"), ops.get),
        ],
        on_request=received.record,
        max_bytes=config.max_bytes,
    )
    app = build_simulator_app(
        "brussels", service.routes(), injector, received, stored=store.stored_counts
    )
    return app, store
