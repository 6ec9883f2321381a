"""The federal GetCareerBreaks operation over seeded data, plus the mutation-feed admin routes.

Verification uses the ``ksz`` profile (X509v3 token, Timestamp <= 5 min, token + Timestamp +
Body signed, RSA-SHA256), trusting the dev CA and pinning the gateway's certificate when given;
answers are signed as ``federal``. INSZ never appear in the log unmasked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from lxml import etree
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from adapters.federal import xml as cb_xml
from adapters.federal.seed import (
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    CareerBreakDataset,
    generate,
    mutation_feed,
)
from adapters.federal.simulator.mutations import FEDERAL_PARTY, MutationFeed
from adapters.simulation.app import build_app as build_simulator_app
from adapters.simulation.app import guard
from adapters.simulation.credentials import signer_for, verifier_for
from adapters.simulation.faults import FaultInjector, FaultSettings
from adapters.simulation.received import ReceivedLog
from adapters.soap.server import Operation, SoapRequest, SoapService
from gateway.identifiers.insz import mask_insz
from gateway.models.career_break import CareerBreakResponse
from gateway.models.header import MessageHeader
from gateway.wssecurity import Signer, Verifier

log = logging.getLogger(__name__)

PATH = "/services/GeefLoopbaanonderbrekingen/v1"
PROFILE = "ksz"
PARTY = "federal"
DEFAULT_FEED = 200


@dataclass(frozen=True, slots=True)
class FederalSimulatorConfig:
    pki_dir: Path
    gateway_cert: Path | None = None
    seed: int = DEFAULT_SEED
    workers: int = DEFAULT_WORKERS
    feed_size: int = DEFAULT_FEED
    faults: FaultSettings | None = None
    max_bytes: int = 2 * 1024 * 1024


class CareerBreakOperations:
    def __init__(self, dataset: CareerBreakDataset) -> None:
        self.dataset = dataset

    def get(self, request: SoapRequest) -> etree._Element:
        asked = cb_xml.query_from_xml(request.payload)
        records = self.dataset.answer(asked.body)
        log.info(
            "GetCareerBreaks %s worker %s: %d record(s)",
            asked.header.message_id,
            mask_insz(asked.body.insz),
            len(records),
        )
        header = MessageHeader(
            message_id=uuid4(),
            timestamp=datetime.now(UTC),
            sender=FEDERAL_PARTY,
            recipient=asked.header.sender,
            purpose=asked.header.purpose,
            legal_basis=asked.header.legal_basis,
            correlation_id=str(asked.header.message_id),
        )
        response = CareerBreakResponse(
            insz=asked.body.insz, period=asked.body.period, records=records
        )
        return cb_xml.response_to_xml(response, header)


def mutation_routes(feed: MutationFeed, signer: Signer, verifier: Verifier) -> list[BaseRoute]:
    """``GET /_admin/mutations`` (the feed) and ``POST /_admin/mutations/push`` {url, count}."""

    async def listing(request: Request) -> Response:
        refused = guard(request)
        if refused is not None:
            return refused
        return JSONResponse({"mutations": feed.listing(), "pending": len(feed.pending())})

    async def push(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        refused = guard(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
            url = str(body["url"])
            count = int(body.get("count", 10))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'expected {"url": "...", "count": N}'}, 422)
        if not 1 <= count <= 10_000:
            return JSONResponse({"error": "count must be between 1 and 10000"}, 422)
        try:
            result = await run_in_threadpool(feed.push, url, signer, verifier, count)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 422)
        return JSONResponse(result)

    return [
        Route("/_admin/mutations", listing, methods=["GET"]),
        Route("/_admin/mutations/push", push, methods=["POST"]),
    ]


def build_app(config: FederalSimulatorConfig) -> tuple[ASGIApp, CareerBreakDataset, MutationFeed]:
    dataset = generate(config.seed, config.workers)
    feed = MutationFeed(mutation_feed(dataset, config.feed_size))
    received = ReceivedLog()
    injector = FaultInjector(config.faults)
    signer = signer_for(config.pki_dir, PARTY, PROFILE)
    ops = CareerBreakOperations(dataset)
    service = SoapService(
        path=PATH,
        wsdl="federal-career-break-service-v1",
        schema="career-break-v1",
        verifier=verifier_for(config.pki_dir, PROFILE, pin=config.gateway_cert),
        signer=signer,
        operations=[Operation("GetCareerBreaks", cb_xml.QUERY, ops.get)],
        on_request=received.record,
        max_bytes=config.max_bytes,
    )
    # Answers to pushes come from the gateway: verified like requests, pinned when known.
    push_verifier = verifier_for(config.pki_dir, PROFILE, pin=config.gateway_cert)
    app = build_simulator_app(
        "federal",
        service.routes(),
        injector,
        received,
        extra_admin_routes=mutation_routes(feed, signer, push_verifier),
    )
    return app, dataset, feed
