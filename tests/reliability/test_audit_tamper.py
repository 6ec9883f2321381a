"""The audit chain of a real gateway run, tampered with by SQL, caught by ``brug audit verify``.

The library's verifier has unit tests; this is the end-to-end check an auditor would run: a
gateway process accepted messages, then someone with write access to the database edited,
deleted or swapped rows. The CLI must exit 1 and name the first broken entry; the untouched
store must verify (exit 0).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.simulation.process import free_port
from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import (
    Backend,
    GatewayProcess,
    accepted_ids,
    brussels_simulator,
    gateways,
    sample_lines,
    stored_total,
    wait_until,
    write_config,
)

pytestmark = pytest.mark.slow

_FIELDS = (
    "recorded_at, partner, operation, direction, message_id, digest, signature_value, outcome,"
    " subject, prev_hash, entry_hash"
)


def _edit(db: sqlite3.Connection) -> None:
    db.execute("UPDATE audit_log SET outcome = 'rejected' WHERE seq = 5")


def _delete(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit_log WHERE seq = 7")


def _swap(db: sqlite3.Connection) -> None:
    """Swap the contents (not the sequence numbers) of entries 10 and 11."""
    rows = {
        seq: db.execute(f"SELECT {_FIELDS} FROM audit_log WHERE seq = ?", (seq,)).fetchone()
        for seq in (10, 11)
    }
    names = [n.strip() for n in _FIELDS.split(",")]
    assignments = ", ".join(f"{n} = ?" for n in names)
    for seq, other in ((10, 11), (11, 10)):
        db.execute(f"UPDATE audit_log SET {assignments} WHERE seq = ?", (*rows[other], seq))


def verify(db: Path, public_key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "audit",
            "verify",
            "--url",
            f"sqlite:///{db}",
            "--public-key",
            str(public_key),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def audited_store(workdir: Path, pki: PkiLayout) -> Path:
    """The store of a finished gateway run: ~90 accepted messages, delivered, gateway stopped."""
    with brussels_simulator(workdir, pki) as sim:
        port = free_port()
        gateway = GatewayProcess(
            write_config(workdir, pki, port, sim.service_url), port, workdir / "gateway.log"
        )
        with gateways(gateway):
            gateway.start()
            backend = Backend(gateway.url, pki)
            try:
                accepted = accepted_ids(backend.bulk(_lines()))
            finally:
                backend.close()
            wait_until(lambda: stored_total(sim) == len(accepted), timeout=60, what="delivery")
    return workdir / "brug.db"


def _lines() -> list[bytes]:
    return sample_lines(120, seed=3)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("tamper", "first_broken"),
    [(_edit, "entry 5: edited"), (_delete, "entry 7: missing"), (_swap, "entry 10: reordered")],
    ids=["edit", "delete", "swap"],
)
def test_brug_audit_verify_names_the_first_broken_entry(
    audited_store: Path,
    pki: PkiLayout,
    tmp_path: Path,
    tamper: Callable[[sqlite3.Connection], None],
    first_broken: str,
) -> None:
    public_key = pki["flanders"].cert
    intact = verify(audited_store, public_key)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "audit chain intact" in intact.stdout

    copy = tmp_path / "tampered.db"
    with sqlite3.connect(audited_store) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # a consistent copy, WAL included
    with sqlite3.connect(copy) as db:
        tamper(db)
    broken = verify(copy, public_key)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    output = " ".join((broken.stdout + broken.stderr).split())
    assert "TAMPERED" in output
    assert f"first problem at {first_broken}" in output, output
