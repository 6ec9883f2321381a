"""HTTP side of the gateway's SOAP service: where it answers and what it reads off the wire.

* ``POST /soap/gateway/v1`` (also ``/soap11`` and ``/soap12``, the addresses the WSDL names):
  SOAP 1.1 (``text/xml``) or 1.2 (``application/soap+xml``), told apart by content type and
  then by the Envelope namespace;
* ``GET /soap/gateway/v1?wsdl``: the static WSDL with ``soap:address`` rewritten to the base
  URL the request came in on, and its XSD imports pointing at
  ``/soap/gateway/v1/schemas/...``, which serves ``.xsd`` files from ``schemas/`` and nothing
  else (so that ``zeep.Client(url + "?wsdl")`` loads it offline-safe). The schemas live under
  the service's own path so that the main application's ``/schemas`` stays free.

The body is read in chunks and refused as soon as it passes ``server.max_body_bytes``, before
anything parses it; the pipeline runs in a worker thread (signing and verifying are CPU-bound,
the store is synchronous).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.soap.server import render_wsdl, schema_file_response
from gateway.config.sections import public_base_url
from gateway.observability.middleware import CLIENT_STATE_KEY, OPERATION_STATE_KEY
from gateway.service.context import GatewayContext
from gateway.service.soap.calls import WSDL
from gateway.service.soap.pipeline import UNKNOWN, SoapPipeline
from gateway.soap.envelope import version_from_content_type
from gateway.xml import schemas

SERVICE_PATH = "/soap/gateway/v1"
SCHEMAS_PATH = f"{SERVICE_PATH}/schemas"


class GatewaySoapEndpoint:
    """The routes over one :class:`SoapPipeline`."""

    def __init__(self, context: GatewayContext) -> None:
        self.pipeline = SoapPipeline(context)
        self.max_bytes = self.pipeline.max_bytes
        self.wsdl_path = schemas.wsdl_path(WSDL)
        # From the configuration, never from the request's Host header (which any client sets).
        self.base_url = public_base_url(context.settings.server)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(SERVICE_PATH, self.get_or_post, methods=["GET", "POST"]),
            Route(f"{SERVICE_PATH}/soap11", self.post, methods=["POST"]),
            Route(f"{SERVICE_PATH}/soap12", self.post, methods=["POST"]),
            Route(f"{SCHEMAS_PATH}/{{file:path}}", self.schema_file, methods=["GET"]),
        ]

    async def get_or_post(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.post(request)
        if "wsdl" not in request.query_params:
            return Response("add ?wsdl for the service description\n", 404)
        return Response(self.wsdl(self.base_url), 200, media_type="text/xml; charset=utf-8")

    def wsdl(self, base_url: str) -> bytes:
        return render_wsdl(
            self.wsdl_path, base_url.rstrip("/"), SERVICE_PATH, schemas_path=SCHEMAS_PATH
        )

    async def schema_file(self, request: Request) -> Response:
        return schema_file_response(request.path_params["file"])

    async def post(self, request: Request) -> Response:
        version = version_from_content_type(request.headers.get("content-type"))
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return self.pipeline.oversized(version).response()
        raw = bytearray()
        try:
            async for chunk in request.stream():
                raw.extend(chunk)
                if len(raw) > self.max_bytes:
                    return self.pipeline.oversized(version).response()
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is listening for an answer
        reply = await run_in_threadpool(self.pipeline.process, bytes(raw), version)
        # The request metrics name the SOAP operation and the verified partner, as
        # brug_messages_total does (the route template alone says only "SOAP").
        if reply.operation != UNKNOWN:
            setattr(request.state, OPERATION_STATE_KEY, reply.operation)
        if reply.partner != UNKNOWN:
            setattr(request.state, CLIENT_STATE_KEY, reply.partner)
        return reply.response()


def soap_routes(context: GatewayContext) -> list[BaseRoute]:
    """The routes to mount in the gateway application (``app.router.routes.extend(...)``)."""
    return GatewaySoapEndpoint(context).routes()
