"""The federal mutation feed: new / cancelled attests pushed to the gateway, signed.

MAGDA publishes changes to career-break attests; the gateway receives them through its own
``PushCareerBreakMutation`` operation (schemas/wsdl/gateway-service-v1.wsdl). The simulator
generates a deterministic feed from its seeded data (:func:`adapters.federal.seed.mutation_feed`)
and pushes it in batches, each batch one signed ``LoopbaanonderbrekingMutaties`` message with a
fresh message id, signed under the ``ksz`` profile as the ``federal`` party.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse
from uuid import uuid4

from lxml import etree

from adapters.federal.xml import mutations_to_xml
from adapters.simulation.app import is_loopback
from adapters.soap.acknowledgement import Acknowledgement
from adapters.soap.errors import PartnerError, UnknownOutcomeError
from adapters.soap.exchange import SoapExchange
from gateway.identifiers.insz import mask_insz
from gateway.models.career_break import CareerBreakMutation
from gateway.models.header import MessageHeader, Party
from gateway.soap.envelope import SoapVersion, build_envelope
from gateway.soap.faults import GW_NS
from gateway.soap.outcome import Verdict
from gateway.wssecurity import Signer, Verifier

PUSH_ACTION = "urn:be:brug:wsdl:gateway-service:1/PushCareerBreakMutation"
FEDERAL_PARTY = Party(code="federal-rva", kbo="0206581096")
GATEWAY_PARTY = Party(code="flanders-wse", kbo="0316381039")
PURPOSE = "VOK_AUTOMATION"
LEGAL_BASIS = "KSZ/MAGDA machtiging: loopbaanonderbrekingen voor het Vlaams opleidingskrediet (VOK)"
DEFAULT_BATCH = 50


@dataclass(frozen=True, slots=True)
class PushResult:
    """One pushed batch: its message id, how many mutations, the gateway's acknowledgement."""

    message_id: str
    count: int
    acknowledgement: Acknowledgement


def mutation_header() -> MessageHeader:
    return MessageHeader(
        message_id=uuid4(),
        timestamp=datetime.now(UTC),
        sender=FEDERAL_PARTY,
        recipient=GATEWAY_PARTY,
        purpose=PURPOSE,
        legal_basis=LEGAL_BASIS,
    )


def build_push_request(
    mutations: Sequence[CareerBreakMutation],
    header: MessageHeader,
    soap_version: SoapVersion = "1.1",
) -> bytes:
    """The unsigned ``gw:PushCareerBreakMutationRequest`` envelope for one batch."""
    request = etree.Element(f"{{{GW_NS}}}PushCareerBreakMutationRequest", nsmap={"gw": GW_NS})
    request.append(mutations_to_xml(mutations, header))
    return build_envelope(request, soap_version)


def push_mutations(
    gateway_url: str,
    mutations: Sequence[CareerBreakMutation],
    signer: Signer,
    verifier: Verifier,
    *,
    batch_size: int = DEFAULT_BATCH,
    soap_version: SoapVersion = "1.1",
    timeout: float = 10.0,
) -> list[PushResult]:
    """Push ``mutations`` to the gateway in signed batches; the answers must verify.

    Stops at the first failing batch (raising its PartnerError): the feed is ordered, a
    receiver must not see batch 3 before 2.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    exchange = SoapExchange(
        gateway_url,
        signer,
        verifier,
        timeout=timeout,
        soap_version=soap_version,
        response_schema="gateway-service-v1",
    )
    results: list[PushResult] = []
    try:
        for start in range(0, len(mutations), batch_size):
            batch = mutations[start : start + batch_size]
            header = mutation_header()
            answer = exchange.call(build_push_request(batch, header, soap_version), PUSH_ACTION)
            if answer.payload.tag != f"{{{GW_NS}}}PushCareerBreakMutationResponse":
                raise UnknownOutcomeError(f"unexpected answer {answer.payload.tag}")
            ack = Acknowledgement.from_element(answer.payload)
            results.append(PushResult(str(header.message_id), len(batch), ack))
    finally:
        exchange.close()
    return results


class MutationFeed:
    """The simulator's feed: every generated mutation and what became of its push."""

    def __init__(self, mutations: Sequence[CareerBreakMutation]) -> None:
        self._lock = threading.Lock()
        self.mutations = tuple(mutations)
        self._pushed: dict[int, dict[str, Any]] = {}

    def pending(self) -> list[int]:
        with self._lock:
            return [i for i in range(len(self.mutations)) if i not in self._pushed]

    def push(
        self,
        gateway_url: str,
        signer: Signer,
        verifier: Verifier,
        count: int,
        *,
        batch_size: int = DEFAULT_BATCH,
    ) -> dict[str, Any]:
        """Push the next ``count`` unpushed mutations to a loopback gateway URL."""
        if not is_loopback(urlparse(gateway_url).hostname):
            raise ValueError("the simulator pushes to loopback URLs only")
        indexes = self.pending()[:count]
        batch = [self.mutations[i] for i in indexes]
        try:
            results = push_mutations(gateway_url, batch, signer, verifier, batch_size=batch_size)
        except PartnerError as exc:
            return {
                "pushed": 0,
                "error": exc.reason,
                "transient": exc.verdict is not Verdict.PERMANENT,
            }
        position = 0
        with self._lock:
            for result in results:
                for i in indexes[position : position + result.count]:
                    self._pushed[i] = {
                        "message_id": result.message_id,
                        "acknowledgement": result.acknowledgement.status,
                    }
                position += result.count
        return {"pushed": position, "batches": [r.message_id for r in results]}

    def listing(self) -> list[dict[str, Any]]:
        """The feed for the admin endpoint (INSZ masked: the admin API is not a data export)."""
        with self._lock:
            return [
                {
                    "attest_number": m.attest_number,
                    "status": m.status.value,
                    "insz": mask_insz(m.record.insz),
                    "dossier_number": m.record.dossier_number,
                    "category": m.record.category.code,
                    "begin": m.record.period.begin.isoformat(),
                    "end": m.record.period.end.isoformat() if m.record.period.end else None,
                    "pushed": self._pushed.get(i),
                }
                for i, m in enumerate(self.mutations)
            ]
