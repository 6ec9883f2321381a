"""A real gateway SOAP endpoint on loopback, and the partner side's tools to talk to it.

The endpoint is built exactly as the application builds it: a settings TOML written to a
temporary directory (SQLite store, dev PKI from ``init_pki``), ``build_context(load_settings())``
and ``soap_routes(context)``, served by uvicorn in a thread. Partners sign with their own dev
keys (Brussels ``strict``, federal ``ksz``) and verify answers as they would in production:
their profile, the dev CA, the gateway's certificate pinned.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from lxml import etree
from sqlalchemy import func, select
from starlette.applications import Starlette

from adapters.simulation.credentials import verifier_for
from adapters.simulation.process import free_port
from gateway.config import load_settings
from gateway.observability.middleware import CorrelationIdMiddleware
from gateway.service.context import GatewayContext, build_context
from gateway.service.soap import SERVICE_PATH, soap_routes
from gateway.soap.envelope import build_envelope, parse_envelope, request_headers
from gateway.soap.faults import GW_NS, SoapFault, parse_fault
from gateway.wssecurity import KeyMaterial, Signer, Verifier, load_profile
from gateway.wssecurity.pki import PkiLayout
from gateway.xml.header import HEADER_NS
from tests.simulators.support import ThreadedServer

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
ACTION = "urn:be:brug:wsdl:gateway-service:1/"
MAX_BODY_BYTES = 200_000
PROFILES = {"brussels": "strict", "federal": "ksz"}

SETTINGS = """\
[server]
max_body_bytes = {max_body}
port = {port}

[store]
url = "{store_url}"

[pki]
key = "{pki}/flanders.key"
cert = "{pki}/flanders.pem"
trust = ["{pki}/ca.pem"]

[partners.brussels]
url = "http://127.0.0.1:9/bev"
wsse_profile = "strict"
pinned_cert = "{pki}/brussels.pem"
operations = ["ReceiveBevRecord", "GetBevRecord"]
inbound_operations = ["SubmitBevRecord", "LookupOdbCourse", "GetMessageStatus"]
purposes = ["BEV_TRANSFER", "ODB_LOOKUP", "MESSAGE_STATUS"]

[partners.federal]
url = "http://127.0.0.1:9/career-breaks"
wsse_profile = "ksz"
pinned_cert = "{pki}/federal.pem"
operations = ["GetCareerBreaks"]
inbound_operations = ["PushCareerBreakMutation", "GetMessageStatus"]
purposes = ["CAREER_BREAK_MUTATION", "MESSAGE_STATUS"]

[audit]
insz_hash_key = "test-only-insz-hash-key-0123456789abcdef"
"""


def gw(local: str) -> str:
    return f"{{{GW_NS}}}{local}"


@dataclass
class Gateway:
    """The running endpoint and the partners' credentials."""

    context: GatewayContext
    base_url: str
    pki: PkiLayout

    @property
    def url(self) -> str:
        return self.base_url + SERVICE_PATH

    def signer(self, party: str, profile: str | None = None, **kwargs: object) -> Signer:
        material = KeyMaterial.from_pem(
            self.pki.root / f"{party}.key", self.pki.root / f"{party}.pem"
        )
        return Signer(load_profile(profile or PROFILES.get(party, "strict")), material, **kwargs)  # type: ignore[arg-type]

    def verifier(self, party: str) -> Verifier:
        """The partner's view of the gateway: its profile, dev CA, flanders certificate pinned."""
        return verifier_for(self.pki.root, PROFILES[party], pin=self.pki["flanders"].cert)

    def sign(self, party: str, payload: etree._Element, version: str = "1.1") -> bytes:
        return self.signer(party).sign(build_envelope(payload, version))  # type: ignore[arg-type]

    def post(self, data: bytes, operation: str, version: str = "1.1") -> httpx.Response:
        return httpx.post(
            self.url,
            content=data,
            headers=request_headers(version, ACTION + operation),  # type: ignore[arg-type]
            timeout=10,
        )

    def call(
        self, party: str, payload: etree._Element, operation: str, version: str = "1.1"
    ) -> httpx.Response:
        return self.post(self.sign(party, payload, version), operation, version)


def build(
    tmp: Path, pki: PkiLayout, store_url: str | None = None, port: int = 8443
) -> GatewayContext:
    """The gateway's context from this package's settings (SQLite in ``tmp`` by default)."""
    config = tmp / "brug.toml"
    url = store_url or f"sqlite:///{tmp / 'brug.db'}"
    config.write_text(
        SETTINGS.format(max_body=MAX_BODY_BYTES, store_url=url, pki=pki.root, port=port),
        encoding="utf-8",
    )
    return build_context(load_settings(config))


def start(tmp: Path, pki: PkiLayout) -> tuple[Gateway, ThreadedServer]:
    port = free_port()
    context = build(tmp, pki, port=port)
    app = Starlette(routes=soap_routes(context))
    app.add_middleware(CorrelationIdMiddleware, metrics=context.metrics)
    server = ThreadedServer(app, port)
    return Gateway(context, server.url, pki), server


# -- messages ------------------------------------------------------------------------------


def new_id() -> str:
    return str(uuid.uuid4())


def _set_header(message: etree._Element, **values: str | None) -> etree._Element:
    header = message.find(f"{{{HEADER_NS}}}header")
    assert header is not None
    for local, value in values.items():
        element = header.find(f"{{{HEADER_NS}}}{local}")
        if value is None and element is not None:
            header.remove(element)
        elif element is not None:
            element.text = value
    return message


def example(name: str, message_id: str | None = None, **header: str | None) -> etree._Element:
    """An example message with a fresh (or given) message id and timestamp, and header changes.

    The examples carry a fixed timestamp; the gateway refuses a header older than the partner's
    ``header_max_age``, so a message sent now is stamped now unless the test says otherwise.
    """
    root = etree.fromstring((EXAMPLES / name).read_bytes())
    header.setdefault("timestamp", now_stamp())
    return _set_header(root, messageId=message_id or new_id(), **header)


def now_stamp() -> str:
    """The current UTC time as a brug header timestamp."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_party(message: etree._Element, role: str, code: str) -> etree._Element:
    """Set the header's ``sender`` or ``recipient`` party code."""
    found = message.find(f"{{{HEADER_NS}}}header/{{{HEADER_NS}}}{role}/{{{HEADER_NS}}}code")
    assert found is not None
    found.text = code
    return message


def id_of(message: etree._Element) -> str:
    """The brug header message id of a message document."""
    found = message.findtext(f"{{{HEADER_NS}}}header/{{{HEADER_NS}}}messageId")
    assert found is not None
    return found


def submit_bev(message: etree._Element) -> etree._Element:
    request = etree.Element(gw("SubmitBevRecordRequest"), nsmap={"gw": GW_NS})
    request.append(message)
    return request


def push_mutations(message: etree._Element) -> etree._Element:
    request = etree.Element(gw("PushCareerBreakMutationRequest"), nsmap={"gw": GW_NS})
    request.append(message)
    return request


def query_header(
    parent: etree._Element,
    *,
    purpose: str,
    message_id: str | None = None,
    sender: str = "brussels-bee",
) -> etree._Element:
    h = etree.SubElement(parent, f"{{{HEADER_NS}}}header", nsmap={"h": HEADER_NS})
    for local, text in (
        ("messageId", message_id or new_id()),
        ("timestamp", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
    ):
        etree.SubElement(h, f"{{{HEADER_NS}}}{local}").text = text
    for local, code in (("sender", sender), ("recipient", "flanders-wse")):
        party = etree.SubElement(h, f"{{{HEADER_NS}}}{local}")
        etree.SubElement(party, f"{{{HEADER_NS}}}code").text = code
    etree.SubElement(h, f"{{{HEADER_NS}}}purpose").text = purpose
    return h


def lookup(odb_number: str, purpose: str = "ODB_LOOKUP") -> etree._Element:
    request = etree.Element(gw("LookupOdbCourseRequest"), nsmap={"gw": GW_NS})
    query_header(request, purpose=purpose)
    etree.SubElement(request, gw("odbNumber")).text = odb_number
    return request


def status_request(
    message_id: str, purpose: str = "MESSAGE_STATUS", sender: str = "brussels-bee"
) -> etree._Element:
    request = etree.Element(gw("GetMessageStatusRequest"), nsmap={"gw": GW_NS})
    query_header(request, purpose=purpose, sender=sender)
    etree.SubElement(request, gw("messageId")).text = message_id
    return request


# -- answers -------------------------------------------------------------------------------


def fault(response: httpx.Response) -> SoapFault:
    """The response must be a SOAP Fault, never an error page or a traceback."""
    assert response.status_code in (400, 500, 503), response.status_code
    assert b"Traceback" not in response.content and b'File "' not in response.content
    found = parse_fault(parse_envelope(response.content).body)
    assert found is not None, response.content[:400]
    return found


def answer(response: httpx.Response, gateway: Gateway, party: str) -> etree._Element:
    """The verified answer payload (verified as the partner would: pinned gateway cert)."""
    assert response.status_code == 200, response.content[:600]
    verified = gateway.verifier(party).verify(response.content)
    assert verified.certificate.subject == gateway.context.key_material.certificate.subject
    payload = next(e for e in verified.body if isinstance(e.tag, str))
    return payload


def rules(found: SoapFault) -> set[str]:
    return {v.rule for v in found.violations}


def old_clock(hours: float = 1) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) - timedelta(hours=hours)


INSZ = re.compile(rb"\b\d{11}\b")


def count_rows(gateway: Gateway, table: type, **where: str) -> int:
    """Rows of ``table`` in the gateway's store matching ``column=value`` filters."""
    stmt = select(func.count()).select_from(table)
    for column, value in where.items():
        stmt = stmt.where(getattr(table, column) == value)
    with gateway.context.store.transaction() as tx:
        return int(tx.scalar(stmt) or 0)
