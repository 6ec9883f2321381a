"""The catalogue is data checked before anything is sent; the CLI's exit codes and reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
import yaml
from lxml import etree
from typer.testing import CliRunner

from adapters.simulation.process import free_port
from conformance.cli_run import register_run
from conformance.endpoint import CatalogueError, load_catalogue, load_catalogue_file
from conformance.endpoint.catalogue import catalogue_path
from gateway.wssecurity.pki import PkiLayout
from gateway.xml import schemas
from tests.service.soap.support import Gateway

SERVICES = sorted(schemas.wsdls())


def _app() -> typer.Typer:
    app = typer.Typer()
    register_run(app)
    return app


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), list(args))
    return result.exit_code, result.output


def _gateway_args(gateway: Gateway, pki: PkiLayout, *more: str) -> list[str]:
    return [
        "run", "--target", gateway.url, "--service", "gateway-service-v1",
        "--cert", str(pki["brussels"].cert), "--key", str(pki["brussels"].key),
        "--identity", f"federal={pki['federal'].cert},{pki['federal'].key}",
        "--trust", str(pki.ca_cert), "--peer-cert", str(pki["flanders"].cert), *more,
    ]  # fmt: skip


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_catalogue_covering_the_security_rules(service: str) -> None:
    catalogue = load_catalogue(service)
    mutations = {
        (c.mutate.sign, c.mutate.tamper, c.mutate.replay, c.mutate.raw) for c in catalogue.cases
    }
    assert {c.operation for c in catalogue.cases} >= {"wsdl"}
    assert (False, None, False, None) in mutations  # unsigned
    assert (True, "body", False, None) in mutations
    assert ("expired-timestamp", None, False, None) in mutations
    assert ("untrusted", None, False, None) in mutations
    assert (True, None, True, None) in mutations  # replay
    assert {"malformed", "xxe"} <= {c.mutate.raw for c in catalogue.cases}


def _broken(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load(catalogue_path("gateway-service-v1").read_text(encoding="utf-8"))
    case = data["cases"][1]
    case.update(change)
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"operation": "SubmitEverything"}, "operation 'SubmitEverything' is not in"),
        ({"request": {"template": "nowhere/x.xml"}}, "not found under golden"),
        ({"mutate": {"sign": "maybe"}}, "mutate.sign"),
        ({"mutate": {"replay": True, "repeat": "same-id"}}, "exclude each other"),
        ({"expect": {}}, "must expect something"),
        ({"expect": {"fault_code": "wsse:FailedCheck", "valid_response": True}}, "both a fault"),
        ({"request": {"template": "gateway-service-v1/valid/lookup-odb-course-request.xml",
                      "set": {"//h:x": "{tomorrow}"}}}, "unknown placeholder {tomorrow}"),
        ({"id": "GW-WSDL"}, "duplicate id"),
        ({"needs": ["GW-RETRY-SUBMIT"]}, "needs 'GW-RETRY-SUBMIT', which is not an earlier case"),
        ({"colour": "blue"}, "Extra inputs are not permitted"),
        ({"caller": "wallonia"}, "caller 'wallonia' is not in callers"),
    ],
)  # fmt: skip
def test_a_bad_catalogue_is_a_clear_error(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path, "gateway-service-v1")
    assert message in str(caught.value)
    code, output = _invoke("list", "--service", "gateway-service-v1", "--catalogue", str(path))
    assert code == 2 and "bad catalogue" in output


def test_a_tester_adds_a_case_without_python(
    tmp_path: Path, gateway: Gateway, pki: PkiLayout
) -> None:
    data = yaml.safe_load(catalogue_path("gateway-service-v1").read_text(encoding="utf-8"))
    data["cases"].append(
        {
            "id": "GW-LOOKUP-UNKNOWN-COURSE",
            "title": "an unknown ODB number is answered notFound, not a fault",
            "rule": "SOAP-PIPELINE-7 / docs/soap-endpoints.md#pipeline",
            "operation": "LookupOdbCourse",
            "request": {
                "template": "gateway-service-v1/valid/lookup-odb-course-request.xml",
                "set": {"//gw:odbNumber": "CE-999999"},
            },
            "expect": {"http_status": 200, "valid_response": True},
        }
    )
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    args = _gateway_args(
        gateway, pki, "--catalogue", str(path), "--case", "GW-LOOKUP-UNKNOWN-COURSE"
    )
    code, output = _invoke(*args)
    assert code == 0, output
    assert "1 passed" in output


def test_run_writes_junit_and_html_and_exits_0(
    gateway: Gateway, pki: PkiLayout, tmp_path: Path
) -> None:
    code, output = _invoke(*_gateway_args(gateway, pki, "--report", str(tmp_path)))
    assert code == 0, output
    suite = etree.parse(str(tmp_path / "junit.xml")).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == str(len(load_catalogue("gateway-service-v1").cases))
    assert suite.get("failures") == "0"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "GW-SEC-REPLAY" in html and "all cases passed" in html
    for report in (html, (tmp_path / "junit.xml").read_text(encoding="utf-8")):
        assert not re.search(r"(?<![0-9])[0-9]{11}(?![0-9])", report)  # INSZ masked
        assert "********330" in html
        assert not re.search(r"BinarySecurityToken[^>]*>[A-Za-z0-9+/=]{40}", report)
        assert not re.search(r"SignatureValue>[A-Za-z0-9+/=\s]{40}", report)


def test_a_failing_case_exits_1(gateway: Gateway, pki: PkiLayout, tmp_path: Path) -> None:
    # pinning the wrong peer certificate: the signed answer cannot be accepted
    args = _gateway_args(gateway, pki, "--case", "GW-STATUS-UNKNOWN")
    args[args.index("--peer-cert") + 1] = str(pki["brussels"].cert)
    code, output = _invoke(*args)
    assert code == 1, output
    assert "FAIL" in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--service", "nope-v9"), "unknown service"),
        (("--case", "GW-NOPE"), "unknown case id"),
        (("--cert", "/nonexistent.pem"), "does not exist"),
        (("--trust",), "--trust CA.pem is required"),
        (("--as", "wallonia"), "callers are"),
        (("--target", "ftp://x"), "not an http(s) URL"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    gateway: Gateway, pki: PkiLayout, change: tuple[str, ...], message: str
) -> None:
    args = _gateway_args(gateway, pki)
    if change == ("--trust",):
        at = args.index("--trust")
        del args[at : at + 2]
    elif change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args += list(change)
    code, output = _invoke(*args)
    assert code == 2, output
    assert message in output


def test_an_unreachable_target_exits_2(gateway: Gateway, pki: PkiLayout) -> None:
    args = _gateway_args(gateway, pki)
    args[args.index("--target") + 1] = f"http://127.0.0.1:{free_port()}/soap/gateway/v1"
    code, output = _invoke(*args)
    assert code == 2 and "unreachable" in output


def test_list_shows_every_case() -> None:
    code, output = _invoke("list")
    assert code == 0
    for service in SERVICES:
        for case in load_catalogue(service).cases:
            assert case.id in output
