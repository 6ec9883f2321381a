"""The REST clients brug knows, built once from ``[clients.*]``.

Key files are read when the registry is built, i.e. at start-up, so that a missing or malformed
client key stops the service with a message naming the client instead of failing that client's
first token request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from gateway.auth.client_keys import (
    ClientKeys,
    RemoteClientKeys,
    StaticClientKeys,
)
from gateway.config.locations import format_path
from gateway.config.sections import ClientConfig
from gateway.errors import BrugValidationError, Violation


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    client_id: str
    config: ClientConfig
    keys: ClientKeys | None  # None: the client authenticates by TLS certificate only

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.config.scopes)


def _keys_for(client: ClientConfig, jwks_lifespan: float) -> ClientKeys | None:
    if client.public_key is not None:
        return StaticClientKeys.from_pem_file(client.public_key)
    if client.jwks_file is not None:
        return StaticClientKeys.from_jwks_file(client.jwks_file)
    if client.jwks_url is not None:
        return RemoteClientKeys(str(client.jwks_url), lifespan=jwks_lifespan)
    return None


class ClientRegistry:
    """Look up a client by id; iterate for certificate matching."""

    def __init__(self, clients: Mapping[str, RegisteredClient]) -> None:
        self._clients = dict(clients)

    @classmethod
    def from_config(
        cls, clients: Mapping[str, ClientConfig], *, jwks_lifespan: float = 300
    ) -> ClientRegistry:
        """Load every client's keys; raises BrugValidationError naming each unusable key file."""
        built: dict[str, RegisteredClient] = {}
        problems: list[Violation] = []
        for client_id, config in clients.items():
            try:
                keys = _keys_for(config, jwks_lifespan)
            except (OSError, ValueError) as exc:
                source = "public_key" if config.public_key is not None else "jwks_file"
                where = format_path(("clients", client_id, source))
                problems.append(Violation(where, "config.client-key", str(exc)))
                continue
            built[client_id] = RegisteredClient(client_id, config, keys)
        if problems:
            raise BrugValidationError(problems, context="client keys")
        return cls(built)

    def get(self, client_id: str) -> RegisteredClient | None:
        return self._clients.get(client_id)

    def __iter__(self) -> Iterator[RegisteredClient]:
        return iter(self._clients.values())

    def __len__(self) -> int:
        return len(self._clients)
