"""brug's configuration: one TOML file (``--config`` / ``$BRUG_CONFIG``) plus ``BRUG_*`` overrides.

>>> settings = load_settings("examples/brug.toml")        # doctest: +SKIP
>>> settings.partners["brussels"].delivery_policy()       # doctest: +SKIP

Every key is described in docs/operations.md. Problems are raised together as one
:class:`gateway.errors.BrugValidationError` whose violations carry the TOML path.
"""

from __future__ import annotations

from gateway.config.loader import config_path, load_settings, read_toml
from gateway.config.material import gateway_key_material, partner_trust_store
from gateway.config.sections import (
    AuditConfig,
    AuthConfig,
    CircuitBreakerConfig,
    ClientConfig,
    LoggingConfig,
    PartnerConfig,
    PkiConfig,
    RetryConfig,
    ServerConfig,
    StoreConfig,
)
from gateway.config.settings import CONFIG_ENV, Settings

__all__ = [
    "CONFIG_ENV",
    "AuditConfig",
    "AuthConfig",
    "CircuitBreakerConfig",
    "ClientConfig",
    "LoggingConfig",
    "PartnerConfig",
    "PkiConfig",
    "RetryConfig",
    "ServerConfig",
    "Settings",
    "StoreConfig",
    "config_path",
    "gateway_key_material",
    "load_settings",
    "partner_trust_store",
    "read_toml",
]
