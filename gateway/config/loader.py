"""Read ``brug.toml``, apply the environment, and report *every* problem in one error.

A service that stops at the first bad key makes the operator restart it once per typo. Here the
TOML syntax, each key's shape, the rules between keys and the files named are all checked, and
the result is one :class:`~gateway.errors.BrugValidationError` whose violations are named by TOML
path (and by environment variable when the environment supplied the value).
"""

from __future__ import annotations

import difflib
import os
import tomllib
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from gateway.config.checks import consistency_violations, file_violations
from gateway.config.locations import env_source, format_path
from gateway.config.paths import resolve_relative_paths
from gateway.config.settings import CONFIG_ENV, Settings
from gateway.errors import BrugValidationError, Violation

# Values never echoed in an error: secrets, and the store URL (it may embed a password).
_HIDDEN = frozenset(
    {"key_password", "pkcs12_password", "signing_key_password", "insz_hash_key", "url"}
)
_MAX_SHOWN = 80


def read_toml(path: Path) -> dict[str, Any]:
    """The file's content, or a validation error naming the file (and line, for syntax)."""
    where = str(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problem = Violation(where, "config.file-missing", "no such configuration file")
    except IsADirectoryError:
        problem = Violation(where, "config.not-a-file", "is a directory, not a TOML file")
    except PermissionError:
        problem = Violation(where, "config.file-unreadable", "permission denied")
    except tomllib.TOMLDecodeError as exc:
        problem = Violation(where, "config.toml-syntax", str(exc))
    except UnicodeDecodeError:
        problem = Violation(where, "config.toml-syntax", "not UTF-8 text")
    raise BrugValidationError([problem], context=f"configuration {where}")


def _model_at(where: Sequence[str | int]) -> type[BaseModel] | None:
    """The section model that holds the key at ``where`` (to suggest a correct spelling)."""
    current: Any = Settings
    for part in where:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {info.alias or name: info for name, info in current.model_fields.items()}
            info = fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    if typing.get_origin(current) is dict:
        return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unknown_key_message(where: Sequence[str | int]) -> str:
    model = _model_at(where[:-1])
    if model is None:
        return "unknown key"
    names = [info.alias or name for name, info in model.model_fields.items()]
    close = difflib.get_close_matches(str(where[-1]), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key; {hint}known keys: {', '.join(names)}"


def _shown(error: ErrorDetails, where: Sequence[str | int]) -> str | None:
    if any(part in _HIDDEN for part in where if isinstance(part, str)):
        return None
    value = error.get("input")
    if isinstance(value, dict | list) or value is None:
        return None
    text = str(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def violations_from(
    exc: ValidationError, environ: Mapping[str, str] | None = None
) -> list[Violation]:
    """Translate pydantic's errors into violations named by TOML path."""
    out: list[Violation] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if loc and loc[-1] == "[key]":
            where = loc[:-1]
            message = "not an allowed name here: " + str(error["msg"]).removeprefix("String ")
        elif kind == "extra_forbidden":
            where = loc
            message = _unknown_key_message(loc)
        elif kind == "missing":
            where = loc
            message = "required key is missing"
        else:
            where = loc
            message = str(error["msg"]).removeprefix("Value error, ")
        origin = env_source(where, environ)
        if origin is not None:
            message += f" (set by environment variable {origin})"
        out.append(
            Violation(
                path=format_path(where) or "(top level)",
                rule=f"config.{kind}",
                message=message,
                value=_shown(error, where),
            )
        )
    return out


def _resolve_profiles(settings: Settings, base: Path) -> Settings:
    """A ``wsse_profile`` given as a ``.toml`` path is relative to the config file too."""
    partners = {}
    for name, partner in settings.partners.items():
        profile = Path(partner.wsse_profile).expanduser()
        if partner.wsse_profile.endswith(".toml") and not profile.is_absolute():
            partner = partner.model_copy(update={"wsse_profile": os.path.normpath(base / profile)})
        partners[name] = partner
    return settings.model_copy(update={"partners": partners})


def config_path(path: str | Path | None = None) -> Path | None:
    """The file to read: the argument (``--config``), else ``$BRUG_CONFIG``, else none."""
    if path is not None:
        return Path(path)
    from_env = os.environ.get(CONFIG_ENV)
    return Path(from_env) if from_env else None


def load_settings(path: str | Path | None = None, *, check_files: bool = True) -> Settings:
    """Load ``brug.toml`` (``path`` / ``$BRUG_CONFIG``) with ``BRUG_*`` environment overrides.

    Without a file, the environment alone must supply the required sections. Relative paths are
    resolved against the file's directory (the working directory without a file). With
    ``check_files`` (the default, what the service does at start-up) every file named must exist.

    Raises :class:`BrugValidationError` listing every problem found.
    """
    file = config_path(path)
    data: dict[str, Any] = {}
    base = Path.cwd()
    context = "configuration (environment only)"
    if file is not None:
        data = read_toml(file)
        base = file.resolve().parent
        context = f"configuration {file}"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise BrugValidationError(violations_from(exc), context=context) from None
    settings = _resolve_profiles(resolve_relative_paths(settings, base), base)
    problems = consistency_violations(settings)
    if check_files:
        problems += file_violations(settings)
    if problems:
        raise BrugValidationError(problems, context=context)
    return settings
