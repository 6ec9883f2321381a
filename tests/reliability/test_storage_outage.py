"""Storage failures answer 503 and lose nothing already acknowledged.

(a) PostgreSQL switched off for the gateway's database (``ALLOW_CONNECTIONS false`` and every
    connection terminated: what a stopped or unreachable server looks like to the driver):
    REST writes answer a 503 ``serviceUnavailable`` problem with ``Retry-After``, the SOAP
    endpoint a Server fault with HTTP 503, never a 500; switched back on, the messages
    acknowledged before are still in the outbox and the running delivery loop delivers them.
(b) SQLite on a full filesystem (an 8 MB tmpfs mounted for the test, filled with a file): the
    write that no longer fits answers 503; after freeing space the acknowledged messages are
    intact and new writes are accepted again.
"""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx import Response
from sqlalchemy import text

from adapters.simulation.process import RunningProcess
from gateway.delivery import OutboxStatus
from gateway.service.context import GatewayContext
from gateway.soap.envelope import build_envelope, request_headers
from gateway.store import Store
from gateway.wssecurity import KeyMaterial, Signer, load_profile
from gateway.wssecurity.pki import PkiLayout
from tests.reliability.support import (
    bearer,
    brussels_simulator,
    brussels_submissions,
    in_process_gateway,
    partner_view,
    set_connections,
    submit,
    unfinished,
    wait_until,
)
from tests.service.rest.problem_support import problem
from tests.service.soap.support import ACTION, example, fault, submit_bev


@pytest.fixture
def brussels(tmp_path: Path, pki: PkiLayout) -> Iterator[RunningProcess]:
    with brussels_simulator(tmp_path, pki) as sim:
        yield sim


def assert_storage_503(answer: Response) -> dict[str, object]:
    body = problem(answer, 503, "serviceUnavailable")
    assert answer.headers["Retry-After"] == "5"
    assert body["retryAfterSec"] == 5
    return body


def signed_submission(pki: PkiLayout) -> bytes:
    """A SubmitBevRecord from Brussels, signed with its dev key under the ``strict`` profile."""
    material = KeyMaterial.from_pem(pki.root / "brussels.key", pki.root / "brussels.pem")
    signer = Signer(load_profile("strict"), material)
    return signer.sign(build_envelope(submit_bev(example("bev-record-v1.xml")), "1.1"))


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_postgresql_down_answers_503_and_keeps_every_acknowledged_message(
    tmp_path: Path, pki: PkiLayout, pg_db: str, brussels: RunningProcess
) -> None:
    brussels.set_faults(down_for_seconds=600)  # keep the acknowledged messages in the outbox
    with in_process_gateway(
        tmp_path, pki, brussels.service_url, store_url=pg_db, delivery=True
    ) as (context, client):
        auth = bearer(client, context, pki, "vov:write vov:read")
        bodies = brussels_submissions(8)
        acknowledged = []
        for body in bodies[:5]:
            answer = submit(client, auth, body)
            assert answer.status_code == 202, answer.text
            acknowledged.append(answer.json()["messageId"])

        set_connections(pg_db, allowed=False)
        try:
            refusal = assert_storage_503(submit(client, auth, bodies[5]))
            assert refusal["reason"] == "database_unavailable"
            bulk = client.post(
                "/v1/vov-registrations/bulk",
                content=bodies[6] + b"\n",
                headers={
                    **auth,
                    "Idempotency-Key": str(uuid.uuid4()),
                    "Content-Type": "application/x-ndjson",
                },
            )
            assert_storage_503(bulk)
            read = client.get(f"/v1/messages/{acknowledged[0]}", headers=auth)
            assert_storage_503(read)
            soap = client.post(
                "/soap/gateway/v1",
                content=signed_submission(pki),
                headers=request_headers("1.1", ACTION + "SubmitBevRecord"),
            )
            assert soap.status_code == 503, soap.text
            assert soap.headers["Retry-After"] == "5"
            assert fault(soap).codes[0] == "Server"  # SOAP 1.1: retry later
            assert client.get("/readyz").status_code == 503
        finally:
            set_connections(pg_db, allowed=True)

        again = submit(client, auth, bodies[7])  # the pool reconnects on its own
        assert again.status_code == 202, again.text
        acknowledged.append(again.json()["messageId"])
        for message_id in acknowledged:
            entry = context.outbox.find("brussels", message_id)
            assert entry is not None and entry.status is not OutboxStatus.DEAD
        assert sum(context.outbox.counts().values()) == len(acknowledged)

        brussels.clear_faults()  # Brussels is back: the loop that lived through it delivers
        wait_until(lambda: unfinished(pg_db) == 0, timeout=60, what="delivery after the outage")
        view = partner_view(brussels)
        assert all(view.stored.get(m) == 1 for m in acknowledged)
        assert view.stored_total == len(acknowledged)


# -- (b) disk full ------------------------------------------------------------------------


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs mounted for this test only (skipped where mounting is not permitted)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()[:200]}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
        if os.path.ismount(mount_point):
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(directory: Path) -> Path:
    """Write a file until the filesystem says ENOSPC; return it (delete it to free space)."""
    filler = directory / "filler"
    chunk = b"\0" * 16384
    try:
        with filler.open("wb") as handle:
            for _ in range(100_000):  # bounded: 1.6 GB, far more than any test tmpfs
                handle.write(chunk)
                handle.flush()
    except OSError as exc:  # also when even the empty file's data cannot be written back
        assert exc.errno == errno.ENOSPC
    return filler


@pytest.mark.timeout(120)
def test_disk_full_answers_503_and_keeps_every_acknowledged_message(
    small_filesystem: Path, tmp_path: Path, pki: PkiLayout
) -> None:
    store_url = f"sqlite:///{small_filesystem / 'brug.db'}"
    bodies = iter(brussels_submissions(150))
    with in_process_gateway(
        tmp_path, pki, "http://127.0.0.1:9/services/bev/v1", store_url=store_url
    ) as (context, client):
        auth = bearer(client, context, pki, "vov:write")
        acknowledged = []
        for _ in range(3):
            answer = submit(client, auth, next(bodies))
            assert answer.status_code == 202, answer.text
            acknowledged.append(answer.json()["messageId"])

        filler = fill(small_filesystem)
        refusal = None
        # The WAL may still have room for a few commits: go on until the disk says no.
        for body in bodies:
            answer = submit(client, auth, body)
            assert answer.status_code in (202, 503), f"{answer.status_code}: {answer.text}"
            if answer.status_code == 503:
                refusal = assert_storage_503(answer)
                break
            acknowledged.append(answer.json()["messageId"])
        assert refusal is not None, "the full disk never refused a write"
        assert refusal["reason"] in ("disk_full", "database_unavailable")
        print(f"\ndisk full: {len(acknowledged)} acknowledged, then 503 ({refusal['reason']})")

        filler.unlink()
        after = submit(client, auth, next(bodies))
        assert after.status_code == 202, after.text
        acknowledged.append(after.json()["messageId"])
        _check_intact(context, acknowledged)

    reopened = Store(store_url)  # and from a fresh connection: a consistent database file
    try:
        with reopened.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        reopened.dispose()


def _check_intact(context: GatewayContext, acknowledged: list[str]) -> None:
    counts = context.outbox.counts()
    assert counts[OutboxStatus.PENDING] == len(acknowledged) == sum(counts.values())
    for message_id in acknowledged:
        entry = context.outbox.find("brussels", message_id)
        assert entry is not None and entry.status is OutboxStatus.PENDING
