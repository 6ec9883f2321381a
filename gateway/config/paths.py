"""File paths in the configuration: resolve relative ones, and list them all for checking.

Relative paths are taken relative to the directory of the TOML file, as Prometheus and most
daemons do, so that ``/etc/brug/brug.toml`` can say ``key = "pki/gateway.key"`` and work whatever
the service's working directory is. (The SQLite URL in ``[store]`` keeps SQLAlchemy's meaning:
relative to the working directory; docs/operations.md says so.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

ConfigPath = tuple[str | int, ...]


def _resolve(value: Any, base: Path) -> Any:
    if isinstance(value, Path):
        expanded = value.expanduser()
        if expanded.is_absolute():
            return expanded
        return Path(os.path.normpath(base / expanded))
    if isinstance(value, BaseModel):
        return resolve_relative_paths(value, base)
    if isinstance(value, tuple):
        return tuple(_resolve(v, base) for v in value)
    if isinstance(value, dict):
        return {k: _resolve(v, base) for k, v in value.items()}
    return value


def resolve_relative_paths(model: M, base: Path) -> M:
    """A copy of ``model`` where every relative :class:`Path` (nested too) is under ``base``."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        current = getattr(model, name)
        resolved = _resolve(current, base)
        if resolved != current:
            updates[name] = resolved
    return model.model_copy(update=updates) if updates else model


def iter_paths(value: Any, where: ConfigPath = ()) -> Iterator[tuple[ConfigPath, Path]]:
    """Every file path in the configuration with the TOML location it came from."""
    if isinstance(value, Path):
        yield where, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from iter_paths(getattr(value, name), (*where, info.alias or name))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from iter_paths(item, (*where, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_paths(item, (*where, str(key)))
