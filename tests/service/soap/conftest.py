"""One gateway SOAP endpoint per session (real socket), shared by the tests of this package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from gateway.cli._inputs import read_course  # noqa: E402
from gateway.wssecurity.pki import PkiLayout  # noqa: E402
from tests.service.soap.support import EXAMPLES, Gateway, start  # noqa: E402


@pytest.fixture(scope="session")
def gateway(pki: PkiLayout, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    running, server = start(tmp_path_factory.mktemp("gateway"), pki)
    running.context.records.put_course(read_course(EXAMPLES / "odb-course.json"), updated_by="t")
    with server:
        yield running
    running.context.close()
