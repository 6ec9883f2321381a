"""Who is calling, as every protected endpoint sees it, whichever way they authenticated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

AuthMethod = Literal["access_token", "mtls"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated REST client and the scopes it may use on *this* request.

    ``scopes`` is already the intersection of what the token grants and what the configuration
    allows today, so a scope withdrawn from a client stops working before its tokens expire.
    """

    client_id: str
    scopes: frozenset[str]
    method: AuthMethod = "access_token"
    token_id: str | None = None

    def has_scopes(self, required: Iterable[str]) -> bool:
        return frozenset(required) <= self.scopes
