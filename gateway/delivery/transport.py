"""The one way a queued message leaves brug: sign, (audit), send, verify the answer, classify.

Every worker (``brug serve``'s embedded loop, ``brug outbox work``, the benchmarks) sends
through :class:`PartnerTransport`, in two steps. :meth:`PartnerTransport.prepare` has the
partner's adapter sign the stored *unsigned* envelope with a fresh Timestamp (the only place a
queued message is signed); the worker writes that signature and Timestamp to the audit log
before anything leaves, so the audit proves exactly what was sent even if the process dies
mid-send. :meth:`PartnerTransport.send` posts it, verifies the partner's signed answer against
its pinned certificate and its XSD, and classifies the outcome by the one table in
:mod:`gateway.soap.outcome`. An :class:`Attempt` carries that verdict and the answer kept as
proof.

The partner's answer signature is remembered in the replay cache (an old acknowledgement must
not be accepted twice) *deferred*: the claims travel with the attempt and are stored in the
same transaction that records the delivery, so a database that is down after the partner
answered delays the record, never turns a received answer into a re-send.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from adapters.soap.errors import PartnerError
from adapters.soap.exchange import PartnerAnswer as AdapterAnswer
from gateway.delivery.entries import OutboxEntry, PartnerAnswer
from gateway.errors import BrugValidationError
from gateway.observability.correlation import correlation_scope
from gateway.soap.outcome import Verdict, short
from gateway.store.replay import ReplayClaims, SqlReplayCache
from gateway.wssecurity.signer import SignedMessage


class Sender(Protocol):
    """A partner adapter's side of queued delivery (e.g. :class:`BrusselsClient`)."""

    def sign(self, envelope: bytes) -> SignedMessage: ...

    def deliver(self, sent: SignedMessage) -> AdapterAnswer: ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one send of one entry ended in."""

    verdict: Verdict
    reason: str | None = None
    answer: PartnerAnswer | None = None
    #: what left the gateway (None when nothing was sent, e.g. no adapter for the partner)
    sent: SignedMessage | None = field(default=None, repr=False)
    #: the answer's signature, to be stored in the replay cache with the delivery record
    claims: ReplayClaims | None = field(default=None, repr=False)


class Transport(Protocol):
    def prepare(self, entry: OutboxEntry) -> SignedMessage | Attempt:
        """Sign ``entry.payload`` for this attempt, or say why it cannot be (a permanent
        :class:`Attempt`); nothing is sent yet."""
        ...

    def send(self, entry: OutboxEntry, signed: SignedMessage) -> Attempt:
        """Send what :meth:`prepare` signed; never raises for a partner's failure."""
        ...


class PartnerTransport:
    """A :class:`Transport` over the partners' adapters, one sender per partner name."""

    def __init__(self, senders: Mapping[str, Sender], replay: SqlReplayCache | None = None) -> None:
        self._senders = dict(senders)
        self._replay = replay

    def prepare(self, entry: OutboxEntry) -> SignedMessage | Attempt:
        sender = self._senders.get(entry.partner)
        if sender is None:
            return Attempt(
                Verdict.PERMANENT, f"no adapter is configured for partner {entry.partner!r}"
            )
        try:
            return sender.sign(entry.payload)
        except (BrugValidationError, ValueError) as exc:  # not an envelope brug can sign
            return Attempt(Verdict.PERMANENT, short(f"the stored message cannot be signed: {exc}"))

    def send(self, entry: OutboxEntry, signed: SignedMessage) -> Attempt:
        sender = self._senders[entry.partner]
        try:
            # Logs of this attempt, and the partner call's X-Correlation-ID, carry the id of the
            # request that queued the message.
            with correlation_scope(entry.correlation_id), self._deferred() as claims:
                answer = sender.deliver(signed)
        except PartnerError as exc:
            return Attempt(exc.verdict, exc.reason, sent=signed)
        return Attempt(
            Verdict.DELIVERED,
            answer=PartnerAnswer(
                body=answer.body, status_code=answer.status_code, content_type=answer.content_type
            ),
            sent=signed,
            claims=claims,
        )

    @contextmanager
    def _deferred(self) -> Iterator[ReplayClaims | None]:
        if self._replay is None:
            yield None
            return
        with self._replay.deferred() as claims:
            yield claims
