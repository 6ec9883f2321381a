"""Message header shared by every brug schema: who, to whom, when, and on which legal basis.

Belgian integrators (KSZ, MAGDA, Fidus) only exchange personal data for a stated purpose within a
legal context; the header carries it so that the receiving side can authorise per purpose.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, Field

from gateway.models.common import RECORD_CONFIG, Kbo, Record

PARTY_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"

#: brug's own party code (run by the Flemish Department of Work and Social Economy): the sender
#: of what it sends, the recipient partners' messages must name (``[server] party``).
GATEWAY_PARTY_CODE = "flanders-wse"
#: The party codes of the partners brug knows by name (``[partners.<name>] party`` overrides).
KNOWN_PARTNER_PARTIES = {"brussels": "brussels-bee", "federal": "federal-rva"}


class Party(Record):
    model_config = RECORD_CONFIG

    code: str = Field(pattern=PARTY_PATTERN, description="e.g. flanders-wse, brussels-bee")
    kbo: Kbo | None = None


class MessageHeader(Record):
    model_config = RECORD_CONFIG

    message_id: UUID
    timestamp: AwareDatetime
    sender: Party
    recipient: Party
    purpose: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{2,63}$", description="purpose code")
    legal_basis: str | None = Field(default=None, max_length=300)
    correlation_id: str | None = Field(default=None, max_length=64)

    def age_seconds(self, now: datetime) -> float:
        return (now - self.timestamp).total_seconds()
