"""Shared fixtures and helpers for the simulator and adapter tests.

Simulators run as REAL subprocesses (``python -m gateway simulate ...``) on loopback, started
once per session by :func:`adapters.simulation.process.start_simulator`; the PKI comes from
``init_pki``. Both ``tests/simulators`` and ``tests/adapters`` import these fixtures from their
conftest (importlib mode has no shared root conftest).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import uvicorn

from adapters.simulation.credentials import signer_for, verifier_for
from adapters.simulation.process import RunningProcess, free_port, start_simulator
from gateway.models.bev import BevRecord
from gateway.models.header import MessageHeader, Party
from gateway.wssecurity import Signer, Verifier
from gateway.wssecurity.pki import PkiLayout, init_pki

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def brussels_sim(
    pki: PkiLayout, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningProcess]:
    db = tmp_path_factory.mktemp("brussels") / "bev.db"
    with start_simulator(
        "brussels", free_port(), pki.root, db, gateway_cert=pki["flanders"].cert
    ) as sim:
        yield sim


@pytest.fixture(scope="session")
def federal_sim(pki: PkiLayout) -> Iterator[RunningProcess]:
    with start_simulator(
        "federal",
        free_port(),
        pki.root,
        gateway_cert=pki["flanders"].cert,
        extra_args=["--workers", "3000", "--seed", "2025"],
    ) as sim:
        yield sim


def signer(pki: PkiLayout, party: str = "flanders", profile: str = "strict") -> Signer:
    return signer_for(pki.root, party, profile)


def verifier(pki: PkiLayout, profile: str = "strict", pin: str | None = "brussels") -> Verifier:
    return verifier_for(pki.root, profile, pin=pki[pin].cert if pin else None)


def bev_record(**changes: Any) -> BevRecord:
    data = json.loads((ROOT / "examples" / "bev-record.json").read_text(encoding="utf-8"))
    data.update(changes)
    return BevRecord.model_validate(data)


def header(recipient: str = "brussels-bee", purpose: str = "BEV_DELIVERY") -> MessageHeader:
    return MessageHeader(
        message_id=uuid4(),
        timestamp=datetime.now(UTC),
        sender=Party(code="flanders-wse", kbo="0316381039"),
        recipient=Party(code=recipient),
        purpose=purpose,
    )


class ThreadedServer:
    """An ASGI app under uvicorn in a thread on loopback (small receivers and bad servers)."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="error", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, "test server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
