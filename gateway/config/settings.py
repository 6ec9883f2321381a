"""The whole gateway configuration: one TOML file, overridden key by key by the environment.

``Settings(**file_content)`` is how :func:`gateway.config.load_settings` builds it. The sources
are ordered so that the *environment wins over the file* (``BRUG_STORE__URL`` replaces only
``store.url``; the rest of ``[store]`` still comes from the file): a container or a systemd unit
can then change one value, or inject a secret, without a second copy of the file. Keyword
arguments are therefore the file's content, not a way to force a value past the environment.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from gateway.config.sections import (
    AuditConfig,
    AuthConfig,
    ClientConfig,
    DeliveryConfig,
    LoggingConfig,
    MetricsConfig,
    PartnerConfig,
    PkiConfig,
    RulesConfig,
    ServerConfig,
    StoreConfig,
)
from gateway.config.types import ClientId, PartyName

ENV_PREFIX = "BRUG_"
ENV_NESTED_DELIMITER = "__"
CONFIG_ENV = "BRUG_CONFIG"


class Settings(BaseSettings):
    """Every section of ``brug.toml``; see docs/operations.md for each key."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        case_sensitive=False,
        extra="forbid",
        frozen=True,
        validate_by_name=True,
    )

    server: ServerConfig = ServerConfig()
    store: StoreConfig = StoreConfig()
    pki: PkiConfig
    partners: dict[PartyName, PartnerConfig] = Field(default_factory=dict)
    clients: dict[ClientId, ClientConfig] = Field(default_factory=dict)
    auth: AuthConfig = AuthConfig()
    logging: LoggingConfig = LoggingConfig()
    metrics: MetricsConfig = MetricsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    audit: AuditConfig
    rules: RulesConfig = RulesConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first (highest priority), then the file content given as keywords.
        # No .env file and no secrets directory: one file, one environment, nothing implicit.
        return env_settings, init_settings
