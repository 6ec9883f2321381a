"""The server side of a brug SOAP service, as the partner simulators (and tests) run it.

Every POST goes through the same pipeline, cheap checks first, and every failure becomes a
proper SOAP Fault (never an HTTP 500 with a stack trace):

1. read at most ``max_bytes`` (a bigger request is refused before it is parsed);
2. hardened parse + WS-Security verification with brug's :class:`Verifier`
   (-> ``wsse:*`` faults from :meth:`WSSecurityFault.to_soap_fault`);
3. dispatch on the payload element; validate it against the service XSD
   (-> a Sender fault with a ``gw:ValidationFault`` listing every violation);
4. run the operation on what was *verified* (the Body re-parsed from the signed bytes);
5. validate the answer against the XSD, wrap it, sign it with the service's own key.

The WSDL is served at ``GET <path>?wsdl`` with its ``soap:address`` rewritten to the URL the
service actually answers on, and its schema imports rewritten to ``/schemas/...`` (served from
brug's schema directory, nothing outside it), so that ``zeep.Client(url + "?wsdl")`` loads.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.errors import BrugError, BrugValidationError, Violation
from gateway.soap.envelope import (
    CONTENT_TYPES,
    SoapVersion,
    build_envelope,
    no_operation_error,
    version_from_content_type,
)
from gateway.soap.faults import fault_envelope, http_status, validation_fault
from gateway.wssecurity import Signer, VerifiedMessage, Verifier, WSSecurityFault
from gateway.xml import schemas
from gateway.xml.header import HEADER_NS

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
ADDRESS_TAGS = {
    "{http://schemas.xmlsoap.org/wsdl/soap/}address": "soap11",
    "{http://schemas.xmlsoap.org/wsdl/soap12/}address": "soap12",
}
_MESSAGE_ID = f"{{{HEADER_NS}}}messageId"

Outcome = Literal["ok", "security-fault", "validation-fault", "fault", "error"]


@dataclass(frozen=True, slots=True)
class SoapRequest:
    """What an operation handler gets: the verified payload and who signed it."""

    operation: str
    payload: etree._Element
    verified: VerifiedMessage
    version: SoapVersion

    @property
    def message_id(self) -> str | None:
        return message_id_of(self.payload)


class SoapFaultError(BrugError):
    """Raised by a handler to answer a specific fault (e.g. a Receiver fault it chose)."""

    def __init__(self, side: Literal["sender", "receiver"], reason: str) -> None:
        super().__init__(reason)
        self.side: Literal["sender", "receiver"] = side
        self.reason = reason


Handler = Callable[[SoapRequest], etree._Element]
#: Called once per POST with (operation or None, message id or None, outcome).
RequestHook = Callable[[str | None, str | None, Outcome], None]


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    request: str  # Clark name of the request payload element
    handler: Handler


def message_id_of(payload: etree._Element) -> str | None:
    """The brug header message id inside a payload (first one found), if any."""
    found = next(payload.iter(_MESSAGE_ID), None)
    return (found.text or "").strip() or None if found is not None else None


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    body: bytes
    version: SoapVersion


class SoapService:
    """One document/literal SOAP service at ``path`` (POST also at ``path/soap11|soap12``)."""

    def __init__(
        self,
        *,
        path: str,
        wsdl: str,
        schema: str,
        verifier: Verifier,
        signer: Signer,
        operations: Sequence[Operation],
        on_request: RequestHook | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.path = "/" + path.strip("/")
        self.wsdl_path = schemas.wsdl_path(wsdl)
        self.schema = schema
        self.verifier = verifier
        self.signer = signer
        self.operations = {op.request: op for op in operations}
        self.on_request = on_request
        self.max_bytes = max_bytes

    # -- routes ------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        return [
            Route(self.path, self._get_or_post, methods=["GET", "POST"]),
            Route(self.path + "/soap11", self._post, methods=["POST"]),
            Route(self.path + "/soap12", self._post, methods=["POST"]),
            Route("/schemas/{file:path}", self._schema_file, methods=["GET"]),
        ]

    async def _get_or_post(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._post(request)
        if "wsdl" not in request.query_params:
            return Response("add ?wsdl for the service description\n", 404)
        base = str(request.base_url).rstrip("/")
        return Response(self.wsdl(base), 200, media_type="text/xml; charset=utf-8")

    async def _schema_file(self, request: Request) -> Response:
        return schema_file_response(request.path_params["file"])

    def wsdl(self, base_url: str) -> bytes:
        """The static WSDL with addresses and schema locations pointing at ``base_url``."""
        return render_wsdl(self.wsdl_path, base_url, self.path)

    # -- POST pipeline -----------------------------------------------------------------------

    async def _post(self, request: Request) -> Response:
        version = version_from_content_type(request.headers.get("content-type"))
        raw = bytearray()
        async for chunk in request.stream():
            raw.extend(chunk)
            if len(raw) > self.max_bytes:
                self._hook(None, None, "validation-fault")
                error = BrugValidationError(
                    [Violation("/", "xml.size", f"request larger than {self.max_bytes} bytes")],
                    context="SOAP request",
                )
                return _response(
                    _Reply(
                        http_status(version, "sender"), validation_fault(error, version), version
                    )
                )
        reply = await run_in_threadpool(self.process, bytes(raw), version)
        return _response(reply)

    def process(self, raw: bytes, version: SoapVersion = "1.1") -> _Reply:
        """The whole pipeline on one request body (synchronous: signing is CPU-bound)."""
        try:
            verified = self.verifier.verify(raw)
        except WSSecurityFault as fault:
            self._hook(None, None, "security-fault")
            return _Reply(http_status(version, "sender"), fault.to_soap_fault(version), version)
        version = verified.soap_version
        payload = next((e for e in verified.body if isinstance(e.tag, str)), None)
        operation = self.operations.get(str(payload.tag)) if payload is not None else None
        if payload is None or operation is None:
            self._hook(None, None, "validation-fault")
            error = no_operation_error(payload)
            return _Reply(http_status(version, "sender"), validation_fault(error, version), version)
        message_id = message_id_of(payload)
        try:
            schemas.validate(self.schema, payload)
            answer = operation.handler(SoapRequest(operation.name, payload, verified, version))
            schemas.validate(self.schema, answer)
        except BrugValidationError as exc:
            self._hook(operation.name, message_id, "validation-fault")
            return _Reply(http_status(version, "sender"), validation_fault(exc, version), version)
        except SoapFaultError as exc:
            self._hook(operation.name, message_id, "fault")
            body = fault_envelope(version, exc.side, exc.reason)
            return _Reply(http_status(version, exc.side), body, version)
        except Exception as exc:
            # Never echo the exception text (it may hold personal data), never a stack trace
            # to the caller; the operator's log gets the type and where it happened.
            log.error(
                "operation %s failed with %s\n%s",
                operation.name,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            self._hook(operation.name, message_id, "error")
            body = fault_envelope(
                version, "receiver", "internal error; the request was not processed"
            )
            return _Reply(500, body, version)
        self._hook(operation.name, message_id, "ok")
        signed = self.signer.sign(build_envelope(answer, version))
        return _Reply(200, signed, version)

    def _hook(self, operation: str | None, message_id: str | None, outcome: Outcome) -> None:
        if self.on_request is not None:
            self.on_request(operation, message_id, outcome)


def schema_file_response(relative: str) -> Response:
    """An ``.xsd`` file under brug's schema directory (404 for anything else, e.g. ``../``)."""
    root = schemas.schemas_dir().resolve()
    target = (root / relative).resolve()
    if target.suffix != ".xsd" or not target.is_relative_to(root) or not target.is_file():
        return Response("not found\n", 404)
    return Response(target.read_bytes(), 200, media_type="text/xml; charset=utf-8")


def render_wsdl(
    wsdl_path: Path, base_url: str, service_path: str, *, schemas_path: str = "/schemas"
) -> bytes:
    """A static WSDL with ``soap:address`` at ``base_url + service_path + /soap11|/soap12`` and
    relative schema imports at ``base_url + schemas_path + /<file under schemas/>``.

    Shared by :class:`SoapService` and the gateway's own endpoint (which serves its schemas under
    its own path so as not to claim ``/schemas`` in the main application).
    """
    tree = etree.parse(str(wsdl_path))  # a trusted file of brug's own
    root = tree.getroot()
    for tag, suffix in ADDRESS_TAGS.items():
        for address in root.iter(tag):
            address.set("location", f"{base_url}{service_path}/{suffix}")
    schemas_root = schemas.schemas_dir().resolve()
    prefix = "/" + schemas_path.strip("/")
    for imp in root.iter(f"{{{XS_NS}}}import", f"{{{XS_NS}}}include"):
        location = imp.get("schemaLocation")
        if location and "://" not in location:
            resolved = (wsdl_path.parent / location).resolve()
            relative = resolved.relative_to(schemas_root).as_posix()
            imp.set("schemaLocation", f"{base_url}{prefix}/{relative}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _response(reply: _Reply) -> Response:
    return Response(reply.body, reply.status, media_type=CONTENT_TYPES[reply.version])
