"""Endpoints for the conformance suite's own tests, and a one-call way to run the suite.

Besides brug's gateway and the two simulators (which must pass), the tests start small
*deliberately broken* implementations of the federal career-break service: tiny Starlette apps
under uvicorn in a thread that verify and sign with brug's own Verifier / Signer and get exactly
one thing wrong. The suite must fail exactly the cases that thing breaks.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from pathlib import Path
from typing import Literal

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from adapters.simulation.credentials import signer_for
from adapters.soap.server import render_wsdl
from conformance.endpoint import RunConfig, SuiteResult, load_catalogue, run_suite
from conformance.endpoint.catalogue import GOLDEN_DIR
from conformance.endpoint.identities import Identity, load_identity
from gateway.soap.envelope import CONTENT_TYPES, build_envelope, version_from_content_type
from gateway.wssecurity import (
    InMemoryReplayCache,
    TrustStore,
    Verifier,
    WSSecurityFault,
    load_profile,
)
from gateway.wssecurity.pki import PkiLayout
from gateway.xml import schemas

FEDERAL = "federal-career-break-service-v1"
FEDERAL_PATH = "/services/GeefLoopbaanonderbrekingen/v1"
LO = "urn:be:brug:federal:career-break:1"

Flaw = Literal[
    "none", "unsigned", "accepts-replay", "invalid-element", "crashes-on-malformed", "proxy-error"
]


class ForgetfulReplayCache:
    """A replay cache that never remembers: the flaw of ``accepts-replay``."""

    def check_and_store(self, key: str, expires: datetime) -> bool:
        return True


def _answer(invalid: bool) -> etree._Element:
    root = etree.fromstring((GOLDEN_DIR / "career-break-v1/valid/answer.xml").read_bytes())
    if invalid:
        etree.SubElement(root, f"{{{LO}}}Onbekend").text = "not in the schema"
    return root


def broken_federal_app(pki: PkiLayout, flaw: Flaw) -> Starlette:
    """The federal service with one flaw (``none``: a correct, minimal implementation)."""
    replay = ForgetfulReplayCache() if flaw == "accepts-replay" else InMemoryReplayCache()
    verifier = Verifier(
        load_profile("ksz"),
        TrustStore.from_pem_files([pki.ca_cert]),
        pins=[],
        replay_cache=replay,
    )
    signer = signer_for(pki.root, "federal", "ksz")

    async def service(request: Request) -> Response:
        if flaw == "proxy-error":  # a reverse proxy whose backend is down: an HTML page for all
            return Response("<html><body><h1>502 Bad Gateway</h1></body></html>", 502)
        if request.method == "GET":
            base = str(request.base_url).rstrip("/")
            return Response(
                render_wsdl(schemas.wsdl_path(FEDERAL), base, FEDERAL_PATH),
                200,
                media_type="text/xml",
            )
        body = await request.body()
        version = version_from_content_type(request.headers.get("content-type"))
        if flaw == "crashes-on-malformed":
            try:
                etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError:
                return PlainTextResponse(traceback.format_exc(), 500)
        try:
            verifier.verify(body)
        except WSSecurityFault as fault:
            status = 500 if version == "1.1" else 400
            return Response(fault.to_soap_fault(version), status, media_type=CONTENT_TYPES[version])
        envelope = build_envelope(_answer(flaw == "invalid-element"), version)
        data = envelope if flaw == "unsigned" else signer.sign(envelope)
        return Response(data, 200, media_type=CONTENT_TYPES[version])

    return Starlette(routes=[Route(FEDERAL_PATH, service, methods=["GET", "POST"])])


def identity(pki: PkiLayout, party: str, name: str, profile: str) -> Identity:
    return load_identity(name, pki[party].cert, pki[party].key, profile)


def run(
    service: str,
    target: str,
    pki: PkiLayout,
    peer: str,
    identities: dict[str, Identity],
    case_ids: tuple[str, ...] = (),
) -> SuiteResult:
    return run_suite(
        RunConfig(
            target=target,
            catalogue=load_catalogue(service),
            identities=identities,
            trust=(pki.ca_cert,),
            peer_cert=pki[peer].cert,
            case_ids=case_ids,
        )
    )


def gateway_identities(pki: PkiLayout) -> dict[str, Identity]:
    return {
        "brussels": identity(pki, "brussels", "brussels", "strict"),
        "federal": identity(pki, "federal", "federal", "ksz"),
    }


def describe(result: SuiteResult) -> str:
    """Failures in a form an assertion message can show."""
    return "\n".join(f"{r.case.id}: {r.reasons}" for r in result.results if r.reasons)


def report_paths(directory: Path) -> tuple[Path, Path]:
    return directory / "junit.xml", directory / "report.html"
