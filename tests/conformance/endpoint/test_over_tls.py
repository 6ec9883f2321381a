"""The conformance suite over HTTPS: private CA (--ca), mutual TLS (--tls-cert/--tls-key),
--insecure said out loud, against simulators served with `brug simulate --tls-cert/--tls-key
--client-ca` (real processes, real handshakes). The gateway over TLS is in
tests/production/test_readme_gateway.py."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.simulation.process import RunningProcess, dev_tls, free_port, start_simulator
from conformance.endpoint import load_catalogue
from gateway.wssecurity.pki import PkiLayout

pytestmark = pytest.mark.slow

SUITES = {
    "brussels": ("brussels-bev-service-v1", "brussels"),
    "federal": ("federal-career-break-service-v1", "federal"),
}


def brug(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module", params=sorted(SUITES))
def tls_sim(
    request: pytest.FixtureRequest,
    pki: PkiLayout,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, RunningProcess]]:
    kind = str(request.param)
    extra = ["--workers", "3000", "--seed", "2025"] if kind == "federal" else []
    with start_simulator(
        kind,  # type: ignore[arg-type]
        free_port(),
        pki.root,
        gateway_cert=pki["flanders"].cert,
        extra_args=extra,
        log_path=tmp_path_factory.mktemp("tls-sim") / f"{kind}.log",
        tls=dev_tls(pki.root, SUITES[kind][1]),
    ) as sim:
        yield kind, sim


def _args(kind: str, sim: RunningProcess, pki: PkiLayout, *more: str) -> list[str]:
    service, party = SUITES[kind]
    return [
        *("conformance", "run", "--service", service, "--target", sim.service_url),
        *("--cert", str(pki["flanders"].cert), "--key", str(pki["flanders"].key)),
        *("--trust", str(pki.ca_cert), "--peer-cert", str(pki[party].cert)),
        *more,
    ]


def _wsdl_case(kind: str) -> str:
    service = SUITES[kind][0]
    return next(c.id for c in load_catalogue(service).cases if c.operation == "wsdl")


def _client_cert(pki: PkiLayout) -> tuple[str, ...]:
    return ("--tls-cert", str(pki["flanders"].cert), "--tls-key", str(pki["flanders"].key))


def test_the_whole_catalogue_passes_over_mutual_tls(
    tls_sim: tuple[str, RunningProcess],
    pki: PkiLayout,
) -> None:
    kind, sim = tls_sim
    assert sim.service_url.startswith("https://127.0.0.1:")
    run = brug(*_args(kind, sim, pki, "--ca", str(pki.ca_cert), *_client_cert(pki)))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "TLS, server certificate verified, client certificate presented" in " ".join(
        run.stdout.split()
    )


def test_without_a_client_certificate_the_target_is_refused_with_a_hint(
    tls_sim: tuple[str, RunningProcess],
    pki: PkiLayout,
) -> None:
    kind, sim = tls_sim
    run = brug(*_args(kind, sim, pki, "--ca", str(pki.ca_cert), "--case", _wsdl_case(kind)))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--tls-cert" in run.stderr
    assert "Traceback" not in run.stderr


def test_without_the_private_ca_the_certificate_is_not_trusted(
    tls_sim: tuple[str, RunningProcess],
    pki: PkiLayout,
) -> None:
    kind, sim = tls_sim
    run = brug(*_args(kind, sim, pki, *_client_cert(pki), "--case", _wsdl_case(kind)))
    assert run.returncode == 2
    assert "CERTIFICATE_VERIFY_FAILED" in run.stderr
    assert "trust it with --ca" in run.stderr


def test_insecure_runs_and_warns_before_and_after_and_in_the_reports(
    tls_sim: tuple[str, RunningProcess],
    pki: PkiLayout,
    tmp_path: Path,
) -> None:
    kind, sim = tls_sim
    run = brug(
        *_args(kind, sim, pki, "--insecure", *_client_cert(pki), "--case", _wsdl_case(kind)),
        *("--report", str(tmp_path)),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING: --insecure")]
    assert len(warnings) == 2
    assert "is NOT verified" in warnings[0]
    note = "TLS, server certificate NOT verified (--insecure), client certificate presented"
    assert note in " ".join(run.stdout.split())
    assert note in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert note in (tmp_path / "junit.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("more", "message"),
    [
        (("--tls-cert", "{flanders}"), "--tls-cert and --tls-key go together"),
        (("--ca", "/nonexistent/ca.pem"), "CA certificate /nonexistent/ca.pem does not exist"),
        (("--ca", "{flanders_key}"), "CA certificate is not a PEM certificate"),
        (("--trust", "{flanders_key}"), "trust anchor is not a PEM certificate"),
        (("--peer-cert", "{flanders_key}"), "peer certificate is not a PEM certificate"),
        (("--tls-cert", "{flanders}", "--tls-key", "{brussels_key}"), "TLS client certificate"),
        (("--insecure", "--ca", "{ca}"), "contradict"),
    ],
)
def test_bad_tls_options_are_one_line_and_exit_2(
    pki: PkiLayout,
    more: tuple[str, ...],
    message: str,
) -> None:
    files = {
        "flanders": pki["flanders"].cert,
        "flanders_key": pki["flanders"].key,
        "brussels_key": pki["brussels"].key,
        "ca": pki.ca_cert,
    }
    args = [m.format(**files) for m in more]
    run = brug(
        *("conformance", "run", "--service", "brussels-bev-service-v1"),
        *("--target", "https://127.0.0.1:9/services/bev/v1", "--case", "BEV-WSDL"),
        *args,
        *(() if "--trust" in args else ("--trust", str(pki.ca_cert))),
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr
