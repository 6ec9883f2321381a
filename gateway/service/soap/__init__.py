"""The gateway's own SOAP service (``gateway-service-v1``): what Brussels and the federal side call.

Mount :func:`soap_routes` in the application::

    for route in soap_routes(context):
        app.router.routes.append(route)

The pipeline, the faults and the authorisation settings are described in docs/soap-endpoints.md.
"""

from __future__ import annotations

from gateway.service.soap.pipeline import SoapPipeline
from gateway.service.soap.replies import SoapReply
from gateway.service.soap.routes import SCHEMAS_PATH, SERVICE_PATH, GatewaySoapEndpoint, soap_routes

__all__ = [
    "SCHEMAS_PATH",
    "SERVICE_PATH",
    "GatewaySoapEndpoint",
    "SoapPipeline",
    "SoapReply",
    "soap_routes",
]
