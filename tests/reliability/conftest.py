"""Fixtures for the reliability tests: dev PKI, dedicated PostgreSQL databases, leftovers check.

Each PostgreSQL test gets a database of its own (not a schema in the shared scratch database):
the storage-outage test switches a whole database off with ``ALLOW_CONNECTIONS false``, and
three gateway processes must agree on one database without a ``search_path`` option.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import leftover_processes, scratch_database
from tests.simulators.support import pki


@pytest.fixture
def pg_db() -> Iterator[str]:
    """A new, migrated-on-first-use PostgreSQL database for this test, dropped afterwards."""
    with scratch_database() as url:
        yield url


@pytest.fixture(scope="module")
def workroot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every process a module starts has this directory on its command line; at the end of the
    module none may still be running (a process leaked by a failed fixture fails the module)."""
    root = tmp_path_factory.mktemp("reliability")
    yield root
    left = leftover_processes(root)
    assert not left, f"processes left running: {left}"


@pytest.fixture
def workdir(workroot: Path, request: pytest.FixtureRequest) -> Path:
    name = str(request.node.name)[:60].replace("[", "-").replace("]", "")
    path = workroot / name
    path.mkdir()
    return path


__all__ = ["PkiLayout", "pg_db", "pki", "workdir", "workroot"]
