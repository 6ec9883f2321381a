"""Posting the stored signed SOAP bytes to a partner over HTTP.

How an answer is classified decides whether a message is retried or dead-lettered, so it follows
what the status code and the SOAP fault *mean*, not only the number:

* no answer (connection refused, reset, timeout) -> transient;
* 2xx -> delivered, unless the body is a SOAP fault (classified like below);
* 408, 425, 429, 5xx -> transient; but SOAP 1.1 sends *every* fault with 500, so a 500 whose
  body is a fault with a ``Client`` (1.1) or ``Sender`` (1.2) code is permanent: the partner
  says the message itself is wrong and sending it again cannot help;
* other 4xx and 3xx -> permanent (a refusal or a misconfigured URL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from lxml import etree

from gateway.delivery.entries import OutboxEntry, PartnerAnswer
from gateway.delivery.errors import PermanentDeliveryError, TransientDeliveryError
from gateway.observability.correlation import CORRELATION_HEADER as SHARED_CORRELATION_HEADER

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TRANSIENT_4XX = frozenset({408, 425, 429})
MAX_REASON = 300

MESSAGE_ID_HEADER = "X-Brug-Message-Id"
# One name for the correlation id everywhere (REST answers, logs' partner calls, deliveries).
CORRELATION_HEADER = SHARED_CORRELATION_HEADER


@dataclass(frozen=True, slots=True)
class PartnerEndpoint:
    url: str
    soap_version: str = "1.1"


def _parser() -> etree.XMLParser:
    # A partner's answer is untrusted input: no entities, no network, no huge trees.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def soap_fault(body: bytes) -> tuple[str, str] | None:
    """``(code, text)`` when ``body`` is a SOAP 1.1 or 1.2 fault, else None."""
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError:
        return None
    fault11 = root.find(f".//{{{SOAP11}}}Fault")
    if fault11 is not None:
        code = (fault11.findtext("faultcode") or "").strip()
        text = (fault11.findtext("faultstring") or "").strip()
        return code, text
    fault12 = root.find(f".//{{{SOAP12}}}Fault")
    if fault12 is not None:
        code = (fault12.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value") or "").strip()
        text = (fault12.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text") or "").strip()
        return code, text
    return None


def is_client_fault(code: str) -> bool:
    """``soap:Client``, ``Client.Authentication``, ``env:Sender``: the message is at fault."""
    local = code.rsplit(":", 1)[-1]
    return local.split(".", 1)[0] in ("Client", "Sender")


class HttpTransport:
    """A :class:`~gateway.delivery.transport.Transport` over httpx, one pooled client."""

    def __init__(
        self,
        endpoints: Mapping[str, PartnerEndpoint],
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._endpoints = dict(endpoints)
        self._client = client or httpx.Client(
            timeout=timeout, limits=httpx.Limits(max_keepalive_connections=20)
        )

    def close(self) -> None:
        self._client.close()

    def send(self, entry: OutboxEntry) -> PartnerAnswer:
        endpoint = self._endpoints.get(entry.partner)
        if endpoint is None:
            raise PermanentDeliveryError(f"no endpoint configured for partner {entry.partner!r}")
        headers = {MESSAGE_ID_HEADER: entry.message_id}
        if entry.correlation_id:
            headers[CORRELATION_HEADER] = entry.correlation_id
        if endpoint.soap_version == "1.2":
            headers["Content-Type"] = (
                f'application/soap+xml; charset=utf-8; action="{entry.operation}"'
            )
        else:
            headers["Content-Type"] = "text/xml; charset=utf-8"
            headers["SOAPAction"] = f'"{entry.operation}"'
        try:
            response = self._client.post(endpoint.url, content=entry.payload, headers=headers)
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return self._classify(response)

    def _classify(self, response: httpx.Response) -> PartnerAnswer:
        status = response.status_code
        body = response.content
        fault = soap_fault(body) if body else None
        where = f"HTTP {status}"
        if fault is not None:
            code, text = fault
            reason = f"{where} SOAP fault {code}: {text}"[:MAX_REASON]
            if is_client_fault(code):
                raise PermanentDeliveryError(reason)
            raise TransientDeliveryError(reason)
        if 200 <= status < 300:
            return PartnerAnswer(
                body=body, status_code=status, content_type=response.headers.get("content-type")
            )
        snippet = body[:120].decode("utf-8", "replace")
        reason = f"{where}: {snippet}"[:MAX_REASON]
        if status >= 500 or status in TRANSIENT_4XX:
            raise TransientDeliveryError(reason)
        raise PermanentDeliveryError(reason)
