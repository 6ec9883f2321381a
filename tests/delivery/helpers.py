"""Small builders shared by the delivery tests."""

from __future__ import annotations

from collections.abc import Callable

from gateway.delivery import Attempt, OutboxEntry, PartnerAnswer
from gateway.soap.outcome import Verdict
from gateway.wssecurity.signer import SignedMessage


def envelope(message_id: str, body: str = "payload") -> bytes:
    return (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<Msg id="{message_id}">{body}</Msg></soap:Body></soap:Envelope>'
    ).encode()


class ScriptedTransport:
    """Answers from a script: each call pops the next behaviour (default: succeed)."""

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.sent: list[str] = []
        self.on_send: Callable[[OutboxEntry], None] | None = None

    def prepare(self, entry: OutboxEntry) -> SignedMessage:
        return SignedMessage(
            entry.payload,
            signature_value=f"sig-{entry.message_id}-{entry.attempts}",
            created="2026-03-02T09:00:00.000Z",
            expires="2026-03-02T09:05:00.000Z",
        )

    def send(self, entry: OutboxEntry, signed: SignedMessage) -> Attempt:
        self.sent.append(entry.message_id)
        if self.on_send is not None:
            self.on_send(entry)
        step = self.script.pop(0) if self.script else "ok"
        if step == "transient":
            return Attempt(Verdict.TRANSIENT, "HTTP 503: partner down", sent=signed)
        if step == "permanent":
            return Attempt(Verdict.PERMANENT, "HTTP 400: schema violation", sent=signed)
        if step == "unknown":
            return Attempt(Verdict.UNKNOWN, "answer refused (wsse:FailedCheck)", sent=signed)
        if step == "crash":
            raise RuntimeError("bug in transport")
        answer = PartnerAnswer(body=b"<ack>" + entry.message_id.encode() + b"</ack>")
        return Attempt(Verdict.DELIVERED, answer=answer, sent=signed)
