"""``brug pki init``, ``brug wss sign`` and ``brug wss verify`` end to end."""

from __future__ import annotations

import ipaddress
import subprocess
import sys

from cryptography import x509
from typer.testing import CliRunner

from gateway.cli import app
from gateway.wssecurity import fingerprint

runner = CliRunner()


def test_pki_init_layout(tmp_path):
    result = runner.invoke(app, ["pki", "init", str(tmp_path / "pki")])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "pki").iterdir()}
    for party in ("flanders", "brussels", "federal", "untrusted", "expired"):
        assert {f"{party}.key", f"{party}.pem", f"{party}.p12"} <= names
    assert {"ca.pem", "ca.key"} <= names
    again = runner.invoke(app, ["pki", "init", str(tmp_path / "pki")])
    assert again.exit_code == 2


def test_pki_certificates_name_loopback_and_the_given_hosts(tmp_path):
    result = runner.invoke(
        app, ["pki", "init", str(tmp_path), "--host", "brug.internal", "--host", "10.1.2.3"]
    )
    assert result.exit_code == 0, result.output
    for party in ("flanders", "brussels", "federal"):
        cert = x509.load_pem_x509_certificate((tmp_path / f"{party}.pem").read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert names.get_values_for_type(x509.DNSName) == [
            f"{party}.brug.test",
            "localhost",
            "brug.internal",
        ]
        assert names.get_values_for_type(x509.IPAddress) == [
            ipaddress.ip_address("127.0.0.1"),
            ipaddress.ip_address("::1"),
            ipaddress.ip_address("10.1.2.3"),
        ]


def test_sign_and_verify(pki, tmp_path, tools):
    src = tmp_path / "in.xml"
    out = tmp_path / "out.xml"
    src.write_bytes(tools.envelope())
    flanders = pki["flanders"]
    result = runner.invoke(
        app,
        [
            "wss",
            "sign",
            "--profile",
            "ksz",
            "--key",
            str(flanders.key),
            "--cert",
            str(flanders.cert),
            str(src),
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["wss", "verify", "--profile", "ksz", "--trust", str(pki.ca_cert), str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Body, Timestamp, BinarySecurityToken" in result.stdout
    assert "0316381039" in result.stdout


def test_sign_pkcs12_magda_with_pin(pki, tmp_path, tools):
    src = tmp_path / "in.xml"
    out = tmp_path / "out.xml"
    src.write_bytes(tools.envelope("1.2"))
    result = runner.invoke(
        app,
        [
            "wss",
            "sign",
            "-p",
            "magda",
            "--key",
            str(pki["federal"].p12),
            "--password",
            "changeit",
            str(src),
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(pki["federal"].cert.read_bytes())
    for pin in (str(pki["federal"].cert), fingerprint(cert).hex()):
        result = runner.invoke(
            app,
            ["wss", "verify", "-p", "magda", "--trust", str(pki.ca_cert), "--pin", pin, str(out)],
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "wss",
            "verify",
            "-p",
            "magda",
            "--trust",
            str(pki.ca_cert),
            "--pin",
            str(pki["flanders"].cert),
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert "wsse:FailedAuthentication" in result.stderr


def test_verify_failure_exit_1(pki, tmp_path, kit):
    path = tmp_path / "bad.xml"
    path.write_bytes(kit.sign().replace(b"125", b"250"))
    result = runner.invoke(
        app, ["wss", "verify", "--profile", "strict", "--trust", str(pki.ca_cert), str(path)]
    )
    assert result.exit_code == 1
    assert "wsse:FailedCheck" in result.stderr
    assert "Traceback" not in result.output


def test_bad_arguments_exit_2(pki, tmp_path):
    missing = str(tmp_path / "missing.xml")
    cases = [
        ["wss", "verify", "-p", "strict", "--trust", str(pki.ca_cert), missing],
        ["wss", "verify", "-p", "nope", "--trust", str(pki.ca_cert), missing],
        ["wss", "verify", "-p", "strict", "--trust", missing, missing],
        ["wss", "verify", "-p", "strict", "--trust", str(pki.ca_cert), "--pin", "zz", missing],
        ["wss", "sign", "-p", "strict", "--key", missing, "--cert", missing, missing, missing],
        ["wss", "sign", "-p", "strict", "--key", str(pki["flanders"].key), missing, missing],
        ["wss", "verify", "-p", "strict", missing],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), args


def test_unsafe_input_to_sign_exit_2(pki, tmp_path):
    src = tmp_path / "in.xml"
    src.write_bytes(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    flanders = pki["flanders"]
    result = runner.invoke(
        app,
        [
            "wss",
            "sign",
            "-p",
            "strict",
            "--key",
            str(flanders.key),
            "--cert",
            str(flanders.cert),
            str(src),
            str(tmp_path / "o.xml"),
        ],
    )
    assert result.exit_code == 2


def test_subprocess_pipeline(pki, tmp_path, tools):
    """The installed console entry point, stdin to stdout, as an operator would run it."""
    flanders = pki["flanders"]
    cmd = [sys.executable, "-c", "from gateway.cli import main; main()"]
    signed = subprocess.run(
        [
            *cmd,
            "wss",
            "sign",
            "-p",
            "strict",
            "--key",
            str(flanders.key),
            "--cert",
            str(flanders.cert),
            "-",
            "-",
        ],
        input=tools.envelope("1.2"),
        capture_output=True,
        check=True,
    ).stdout
    done = subprocess.run(
        [*cmd, "wss", "verify", "-p", "strict", "--trust", str(pki.ca_cert), "-"],
        input=signed,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"signed parts" in done.stdout


def test_pki_init_config_adds_the_hosts_the_configuration_serves_on(tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "brug.toml"
    text = example.read_text(encoding="utf-8")
    text = text.replace('host = "127.0.0.1"', 'host = "brug.internal"')
    text = text.replace("https://localhost:8443/oauth2/token", "https://gw.example.be/oauth2/token")
    (tmp_path / "examples").mkdir()
    config = tmp_path / "examples" / "brug.toml"
    config.write_text(text, encoding="utf-8")
    # the files the configuration names do not exist yet: they are what init makes
    result = runner.invoke(
        app, ["pki", "init", str(tmp_path / "var" / "pki"), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    cert = x509.load_pem_x509_certificate((tmp_path / "var" / "pki" / "flanders.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName)[-2:] == ["brug.internal", "gw.example.be"]
    bad = tmp_path / "bad.toml"
    bad.write_text("x")
    refused = runner.invoke(app, ["pki", "init", str(tmp_path / "other"), "--config", str(bad)])
    assert refused.exit_code == 2
    assert "error: invalid configuration" in refused.output
