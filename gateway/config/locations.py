"""Where a configuration value lives: its TOML path, and the environment variable that sets it.

An error is only useful if it says which line to edit. ``partners.brussels.retry.max_attempts``
is what an operator searches for in the file; ``BRUG_PARTNERS__BRUSSELS__RETRY__MAX_ATTEMPTS`` is
what they look for in a unit file when the environment, not the file, holds the bad value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from gateway.config.settings import ENV_NESTED_DELIMITER, ENV_PREFIX

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def format_path(where: Sequence[str | int]) -> str:
    """``("partners", "brussels", "operations", 0)`` -> ``partners.brussels.operations[0]``.

    Keys that TOML would need to quote are quoted the same way (``clients."acm app"``).
    """
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if _BARE_KEY.match(part) else '"' + part.replace('"', '\\"') + '"'
        out = f"{out}.{key}" if out else key
    return out


def env_name(where: Sequence[str | int]) -> str:
    """The environment variable that overrides the key at ``where`` (lists cannot be split)."""
    keys: list[str] = []
    for part in where:
        if isinstance(part, int):
            break
        keys.append(part.upper())
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(keys)


def env_source(where: Sequence[str | int], environ: Mapping[str, str] | None = None) -> str | None:
    """The name of the set environment variable that supplied ``where`` (or a parent), if any."""
    env = os.environ if environ is None else environ
    upper = {name.upper() for name in env}
    strings = [p for p in where if isinstance(p, str)]
    for depth in range(len(strings), 0, -1):
        candidate = env_name(strings[:depth])
        if candidate in upper:
            return candidate
    return None
