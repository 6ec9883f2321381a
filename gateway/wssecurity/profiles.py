"""Partner profiles: what a partner signs and what brug accepts, kept as data files.

A profile is a TOML file in ``gateway/wssecurity/profiles/``. Keeping them as data means adding
a partner (or loosening an algorithm for one) is a reviewed data change that cannot touch the
verification code, and that the weak algorithm MAGDA still uses (RSA-SHA1) is accepted *only*
where its profile says so.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gateway.wssecurity.algorithms import C14N_URIS, DIGESTS, SIGNATURES, TRANSFORM_URIS
from gateway.wssecurity.ns import TOKEN_TYPES

SignedPart = str  # "Body", "Timestamp", "BinarySecurityToken" or "{ns}local" of a header block

BUILTIN_PARTS = frozenset({"Body", "Timestamp", "BinarySecurityToken"})


class Profile(BaseModel):
    """Everything brug needs to sign for, or accept from, one partner."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    token_type: Literal["X509v3", "X509PKIPathv1"] = "X509v3"  # noqa: S105 (not a secret)
    accepted_token_types: tuple[Literal["X509v3", "X509PKIPathv1"], ...] = ("X509v3",)
    sign_parts: tuple[SignedPart, ...] = ("Body", "Timestamp", "BinarySecurityToken")
    required_signed_parts: tuple[SignedPart, ...] = ("Body", "Timestamp", "BinarySecurityToken")
    timestamp_required: bool = True
    timestamp_lifetime_seconds: int = Field(default=300, gt=0)
    max_timestamp_lifetime_seconds: int = Field(default=300, gt=0)
    max_age_seconds: int = Field(default=300, gt=0)
    clock_skew_seconds: int = Field(default=60, ge=0)
    signature_algorithm_rsa: str = "rsa-sha256"
    signature_algorithm_ec: str | None = None
    digest_algorithm: str = "sha256"
    signature_algorithms: tuple[str, ...] = ("rsa-sha256", "ecdsa-sha256")
    digest_algorithms: tuple[str, ...] = ("sha256",)
    c14n_algorithms: tuple[str, ...] = ("exc-c14n",)
    transform_algorithms: tuple[str, ...] = ("exc-c14n",)
    actor: str | None = None
    max_message_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_depth: int = Field(default=64, gt=0)
    max_elements: int = Field(default=50_000, gt=0)

    @field_validator("signature_algorithms")
    @classmethod
    def _known_signatures(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _known(v, SIGNATURES, "signature algorithm")

    @field_validator("digest_algorithms")
    @classmethod
    def _known_digests(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _known(v, DIGESTS, "digest algorithm")

    @field_validator("c14n_algorithms")
    @classmethod
    def _known_c14n(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _known(v, C14N_URIS, "canonicalisation algorithm")

    @field_validator("transform_algorithms")
    @classmethod
    def _known_transforms(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _known(v, TRANSFORM_URIS, "transform")

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        for name in (self.signature_algorithm_rsa, self.signature_algorithm_ec):
            if name is not None and name not in self.signature_algorithms:
                raise ValueError(f"signing algorithm {name} is not among the accepted ones")
        if self.digest_algorithm not in self.digest_algorithms:
            raise ValueError(f"digest {self.digest_algorithm} is not among the accepted ones")
        if self.token_type not in self.accepted_token_types:
            raise ValueError(f"token type {self.token_type} is not among the accepted ones")
        for part in (*self.sign_parts, *self.required_signed_parts):
            if part not in BUILTIN_PARTS and not part.startswith("{"):
                raise ValueError(f"signed part {part!r} must be a built-in part or {{ns}}local")
        if "Timestamp" in self.required_signed_parts and not self.timestamp_required:
            raise ValueError("a profile requiring a signed Timestamp must require a Timestamp")
        return self

    @property
    def token_value_type(self) -> str:
        return TOKEN_TYPES[self.token_type]

    @property
    def accepted_token_value_types(self) -> frozenset[str]:
        return frozenset(TOKEN_TYPES[t] for t in self.accepted_token_types)


def _known(values: tuple[str, ...], table: Mapping[str, object], what: str) -> tuple[str, ...]:
    for v in values:
        if v not in table:
            raise ValueError(f"unknown or forbidden {what} {v!r}")
    return values


def available_profiles() -> list[str]:
    """Names of the profiles shipped with brug."""
    folder = resources.files("gateway.wssecurity") / "profiles"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name (``ksz``, ``magda``, ``strict``) or a TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        name = str(name_or_path)
        if name not in available_profiles():
            raise ValueError(
                f"unknown WS-Security profile {name!r}; known: {', '.join(available_profiles())}"
            )
        res = resources.files("gateway.wssecurity") / "profiles" / f"{name}.toml"
        text = res.read_text(encoding="utf-8")
    return Profile.model_validate(tomllib.loads(text))
