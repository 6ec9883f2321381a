"""The shapes passed between the pipeline and the operation handlers.

A handler sees only what was verified and validated (:class:`InboundCall`) and an open store
transaction; it returns the answer element and how to record it (:class:`Handled`). It never
commits, signs or counts: the pipeline does, so every operation gets the same inbox, audit and
metrics treatment and none can forget one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from gateway.models.header import MessageHeader
from gateway.service.context import GatewayContext, Partner
from gateway.soap.envelope import SoapVersion
from gateway.soap.faults import GW_NS
from gateway.wssecurity import VerifiedMessage

SCHEMA = "gateway-service-v1"
WSDL = "gateway-service-v1"


def gw(local: str) -> str:
    """Clark name in the gateway service namespace."""
    return f"{{{GW_NS}}}{local}"


@dataclass(frozen=True, slots=True)
class InboundCall:
    partner: Partner
    operation: str
    payload: etree._Element  # the operation element in the verified Body (XSD-valid)
    message: etree._Element  # the element holding the brug header (payload or its content)
    header: MessageHeader
    verified: VerifiedMessage
    version: SoapVersion

    @property
    def message_id(self) -> str:
        return str(self.header.message_id)


@dataclass(frozen=True, slots=True)
class Handled:
    """An operation's answer (unsigned payload element) and what to record about it."""

    answer: etree._Element
    outcome: str  # audit outcome: accepted, rejected, found, not-found, <message state>
    accepted: bool  # metrics: ACCEPTED or REJECTED
    insz: str | None = None  # the person concerned, hashed into the audit subject


Handler = Callable[[GatewayContext, InboundCall, Session], Handled]


@dataclass(frozen=True, slots=True)
class Prepared:
    """An answer worked out before any transaction opens, and the rows its effect writes.

    Operations whose answer does not depend on the store (a record handed over is checked and
    mapped on its own) can be *prepared* in the request's thread and written later, together
    with other messages, by :mod:`gateway.service.soap.batch`.
    """

    handled: Handled
    inbound_records: tuple[dict[str, Any], ...] = ()  # rows for ExchangeRecords.insert_inbound


Preparer = Callable[[GatewayContext, InboundCall], Prepared]


@dataclass(frozen=True, slots=True)
class OperationSpec:
    name: str
    request: str  # Clark name of the request element
    wrapped: bool  # True: the header is in the payload's first child (a whole record message)
    handler: Handler
    prepare: Preparer | None = None  # set when the answer needs no store (batched writes)
