"""brug.toml: loading, environment overrides, and errors that name the key to fix."""

from __future__ import annotations

import shutil
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.config import CONFIG_ENV, load_settings
from gateway.config.paths import iter_paths
from gateway.errors import BrugValidationError
from gateway.wssecurity.pki import init_pki
from gateway.wssecurity.trust import fingerprint

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "brug.toml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BRUG_* from the developer's shell may leak into these tests."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("BRUG_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cfg")
    init_pki(root / "var" / "pki")
    return root


MINIMAL = """
[pki]
key = "pki/flanders.key"
cert = "pki/flanders.pem"
trust = ["pki/ca.pem"]

[audit]
insz_hash_key = "0123456789abcdef0123456789abcdef"
"""


def write(directory: Path, text: str, name: str = "brug.toml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def conf_dir(pki_dir: Path, tmp_path: Path) -> Path:
    shutil.copytree(pki_dir / "var" / "pki", tmp_path / "pki")
    return tmp_path


def violations(exc: pytest.ExceptionInfo[BrugValidationError]) -> dict[str, str]:
    """path -> "rule message" (several violations of one key joined with " | ")."""
    out: dict[str, str] = {}
    for v in exc.value.violations:
        text = f"{v.rule} {v.message}"
        out[v.path] = f"{out[v.path]} | {text}" if v.path in out else text
    return out


# --- loading ---------------------------------------------------------------------------------


def test_shipped_example_loads_with_a_dev_pki(pki_dir: Path) -> None:
    """examples/brug.toml is valid, and every file it names is where `brug pki init var/pki`
    puts it (run from the repository root)."""
    (pki_dir / "examples").mkdir(exist_ok=True)
    example = pki_dir / "examples" / "brug.toml"
    shutil.copy(EXAMPLE, example)
    settings = load_settings(example)
    assert settings.pki.key == pki_dir / "var" / "pki" / "flanders.key"
    assert set(settings.partners) == {"brussels", "federal"}
    assert settings.partners["federal"].wsse_profile == "ksz"
    assert settings.clients["wse-vov-backend"].scopes == (
        "vov:read",
        "vov:write",
        "odb:read",
        "odb:write",
        "vok:read",
    )
    # the paths the simulators serve (`brug simulate brussels|federal`)
    assert str(settings.partners["brussels"].url).endswith("/services/bev/v1")
    assert str(settings.partners["federal"].url).endswith("/services/GeefLoopbaanonderbrekingen/v1")
    assert settings.store.url == "sqlite:///var/brug.db"
    assert settings.logging.as_json is True


def test_minimal_file_takes_defaults_and_resolves_paths_against_the_file(conf_dir: Path) -> None:
    settings = load_settings(write(conf_dir, MINIMAL))
    assert settings.pki.key == conf_dir / "pki" / "flanders.key"
    assert settings.pki.trust == (conf_dir / "pki" / "ca.pem",)
    assert settings.store.url == "sqlite:///var/brug.db"
    assert settings.server.port == 8443
    assert settings.auth.token_lifetime == timedelta(minutes=5)
    assert all(p.is_absolute() for _, p in iter_paths(settings))


def test_durations_and_delivery_policy(conf_dir: Path) -> None:
    path = write(
        conf_dir,
        MINIMAL
        + """
        [partners.brussels]
        url = "http://127.0.0.1:8081/soap"
        operations = ["ReceiveBevRecord"]
        timeout = 12.5
        [partners.brussels.retry]
        max_attempts = 4
        max_age = "PT6H"
        backoff_base = "500ms"
        backoff_max = "2m"
        [partners.brussels.circuit_breaker]
        threshold = 3
        cool_down = "1h"
        """,
    )
    partner = load_settings(path).partners["brussels"]
    assert partner.timeout == timedelta(seconds=12.5)
    policy = partner.delivery_policy()
    assert policy.max_attempts == 4
    assert policy.max_age == timedelta(hours=6)
    assert policy.backoff_initial == timedelta(milliseconds=500)
    assert policy.backoff_max == timedelta(minutes=2)
    assert policy.breaker_failures == 3
    assert policy.breaker_reset == timedelta(hours=1)


def test_delivery_section_defaults_values_and_bounds(conf_dir: Path) -> None:
    defaults = load_settings(write(conf_dir, MINIMAL)).delivery
    assert (defaults.lease, defaults.batch_size) == (timedelta(seconds=60), 50)
    tuned = load_settings(
        write(
            conf_dir, MINIMAL + '[delivery]\nlease = "15s"\nbatch_size = 10\nidle_poll = "50ms"\n'
        )
    ).delivery
    assert (tuned.lease, tuned.batch_size, tuned.idle_poll) == (
        timedelta(seconds=15),
        10,
        timedelta(milliseconds=50),
    )
    with pytest.raises(BrugValidationError) as exc:
        load_settings(write(conf_dir, MINIMAL + '[delivery]\nlease = "1s"\nidle_poll = "2m"\n'))
    found = violations(exc)
    assert "between 5 seconds and 1 hour" in found["delivery.lease"]
    assert "between 10 ms and 60 seconds" in found["delivery.idle_poll"]


def test_pkcs12_identity_and_fingerprint_normalisation(conf_dir: Path) -> None:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((conf_dir / "pki" / "federal.pem").read_bytes())
    colon_hex = ":".join(f"{b:02X}" for b in fingerprint(cert))
    path = write(
        conf_dir,
        f"""
        [pki]
        pkcs12 = "pki/flanders.p12"
        trust = ["pki/ca.pem"]
        [clients.fed]
        cert_sha256 = ["{colon_hex}"]
        scopes = ["vok:read"]
        [audit]
        insz_hash_key = "0123456789abcdef0123456789abcdef"
        """,
    )
    settings = load_settings(path)
    assert settings.clients["fed"].cert_sha256 == (fingerprint(cert).hex(),)


# --- environment -----------------------------------------------------------------------------


def test_environment_overrides_one_key_and_keeps_the_rest(
    conf_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        conf_dir,
        MINIMAL
        + """
        [server]
        host = "0.0.0.0"
        port = 9000
        [partners.federal]
        url = "http://127.0.0.1:8082/soap"
        operations = ["GetCareerBreaks"]
        [partners.federal.retry]
        max_attempts = 5
        """,
    )
    monkeypatch.setenv("BRUG_STORE__URL", "postgresql+psycopg://brug:s3cret@db/brug")
    monkeypatch.setenv("BRUG_SERVER__PORT", "9443")
    monkeypatch.setenv("BRUG_PARTNERS__FEDERAL__RETRY__MAX_ATTEMPTS", "9")
    monkeypatch.setenv("BRUG_AUDIT__INSZ_HASH_KEY", "from-the-environment-32-bytes-long!")
    monkeypatch.setenv("BRUG_LOGGING__JSON", "false")
    settings = load_settings(path)
    assert settings.store.url.startswith("postgresql+psycopg://")
    assert settings.store.safe_url == "postgresql+psycopg://brug:***@db/brug"
    assert "s3cret" not in repr(settings)
    assert settings.server.port == 9443
    assert settings.server.host == "0.0.0.0"  # from the file, untouched
    assert settings.partners["federal"].retry.max_attempts == 9
    assert settings.partners["federal"].operations == ("GetCareerBreaks",)
    assert settings.audit.insz_hash_key.get_secret_value().startswith("from-the-environment")
    assert settings.logging.as_json is False


def test_brug_config_variable_selects_the_file(
    conf_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(conf_dir, MINIMAL + "\n[server]\nport = 7001\n", name="other.toml")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_settings().server.port == 7001


def test_environment_only_without_a_file(conf_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(conf_dir)
    monkeypatch.setenv("BRUG_PKI__PKCS12", "pki/flanders.p12")
    monkeypatch.setenv("BRUG_PKI__TRUST", '["pki/ca.pem"]')
    monkeypatch.setenv("BRUG_AUDIT__INSZ_HASH_KEY", "x" * 32)
    settings = load_settings()
    assert settings.pki.pkcs12 == conf_dir / "pki" / "flanders.p12"


# --- errors ----------------------------------------------------------------------------------


def test_shape_errors_name_the_toml_path_all_at_once(conf_dir: Path) -> None:
    path = write(
        conf_dir,
        MINIMAL
        + """
        [server]
        prot = 8443
        max_body_bytes = -1
        [store]
        url = "mysql://u:pw@h/db"
        [partners.Bad_Name]
        url = "ftp://x"
        operations = []
        [partners.brussels]
        url = "http://127.0.0.1:8081/soap"
        operations = ["ReceiveBevRecord"]
        timeout = "soon"
        [partners.brussels.retry]
        max_attempts = 0
        [clients.wse]
        scopes = ["VOV write"]
        public_key = "pki/flanders.pem"
        [logging]
        level = "chatty"
        """,
    )
    with pytest.raises(BrugValidationError) as exc:
        load_settings(path)
    found = violations(exc)
    assert "did you mean 'port'" in found["server.prot"]
    assert "config.extra_forbidden" in found["server.prot"]
    assert "server.max_body_bytes" in found
    assert "sqlite or postgresql" in found["store.url"]
    assert "partners.Bad_Name" in found
    assert "partners.brussels.timeout" in found
    assert "partners.brussels.retry.max_attempts" in found
    assert "clients.wse.scopes[0]" in found
    assert "logging.level" in found
    # The store URL may hold a password: never echoed.
    store_violation = next(v for v in exc.value.violations if v.path == "store.url")
    assert store_violation.value is None
    assert exc.value.context == f"configuration {path}"


def test_missing_required_sections(conf_dir: Path) -> None:
    with pytest.raises(BrugValidationError) as exc:
        load_settings(write(conf_dir, "[server]\nport = 1\n"))
    found = violations(exc)
    assert found["pki"] == "config.missing required key is missing"
    assert found["audit"] == "config.missing required key is missing"


def test_errors_from_the_environment_name_the_variable(
    conf_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRUG_SERVER__PORT", "99999")
    with pytest.raises(BrugValidationError) as exc:
        load_settings(write(conf_dir, MINIMAL))
    (v,) = exc.value.violations
    assert v.path == "server.port"
    assert "BRUG_SERVER__PORT" in v.message
    assert v.value == "99999"


def test_relations_between_keys_name_the_key_to_fix(conf_dir: Path) -> None:
    path = write(
        conf_dir,
        """
        [server]
        tls_cert = "pki/flanders.pem"
        client_cert_header = "X-SSL-Client-Cert"
        [pki]
        key = "pki/flanders.key"
        pkcs12 = "pki/flanders.p12"
        [partners.brussels]
        url = "http://127.0.0.1:8081/soap"
        operations = ["ReceiveBevRecord"]
        wsse_profile = "nonesuch"
        [partners.brussels.retry]
        backoff_base = "1h"
        backoff_max = "1m"
        [partners.ksz]
        url = "http://127.0.0.1:8083/soap"
        operations = ["Query"]
        inbound_operations = ["GetMessageStatus"]
        [clients.nocred]
        scopes = ["vov:read"]
        [clients.two]
        public_key = "pki/flanders.pem"
        jwks_url = "http://keys.example.org/jwks.json"
        scopes = ["vov:read"]
        [auth]
        assertion_max_lifetime = "10m"
        token_lifetime = "2h"
        [audit]
        insz_hash_key = "short"
        """,
    )
    with pytest.raises(BrugValidationError) as exc:
        load_settings(path)
    found = violations(exc)
    assert "config.tls-pair" in found["server.tls_key"]
    assert "config.header-needs-proxy" in found["server.trusted_proxies"]
    assert "config.one-identity" in found["pki.pkcs12"]
    assert "config.required" in found["pki.trust"]
    assert "config.unknown-profile" in found["partners.brussels.wsse_profile"]
    assert "config.backoff-order" in found["partners.brussels.retry.backoff_base"]
    assert "config.party-required" in found["partners.ksz.party"]
    assert "config.no-credential" in found["clients.nocred"]
    assert "config.one-key-source" in found["clients.two.public_key"]
    assert "config.https-required" in found["clients.two.jwks_url"]
    assert "config.too-long" in found["auth.assertion_max_lifetime"]
    assert "config.too-long" in found["auth.token_lifetime"]
    assert "config.too-short" in found["audit.insz_hash_key"]
    secret = next(v for v in exc.value.violations if v.path == "audit.insz_hash_key")
    assert secret.value is None


def test_missing_files_are_reported_with_their_key(conf_dir: Path) -> None:
    path = write(conf_dir, MINIMAL.replace("pki/flanders.pem", "pki/gone.pem"))
    with pytest.raises(BrugValidationError) as exc:
        load_settings(path)
    (v,) = exc.value.violations
    assert (v.path, v.rule) == ("pki.cert", "config.file-missing")
    assert v.value == str(conf_dir / "pki" / "gone.pem")
    # The same file without the existence check (e.g. validating a config for another host):
    assert load_settings(path, check_files=False).pki.cert == conf_dir / "pki" / "gone.pem"


def test_toml_syntax_error_gives_the_line(conf_dir: Path) -> None:
    path = write(conf_dir, "[server]\nport = = 1\n")
    with pytest.raises(BrugValidationError) as exc:
        load_settings(path)
    (v,) = exc.value.violations
    assert v.rule == "config.toml-syntax"
    assert "line 2" in v.message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(BrugValidationError) as exc:
        load_settings(tmp_path / "nope.toml")
    assert exc.value.violations[0].rule == "config.file-missing"


def test_quoted_keys_in_paths(conf_dir: Path) -> None:
    path = write(
        conf_dir,
        MINIMAL
        + """
        [clients."acm app"]
        public_key = "pki/flanders.pem"
        scopes = ["vov:read"]
        """,
    )
    with pytest.raises(BrugValidationError) as exc:
        load_settings(path)
    assert 'clients."acm app"' in violations(exc)


def test_duplicate_certificate_across_clients(conf_dir: Path) -> None:
    pin = "ab" * 32
    path = write(
        conf_dir,
        MINIMAL
        + f"""
        [clients.one]
        cert_sha256 = ["{pin}"]
        scopes = ["vov:read"]
        [clients.two]
        cert_sha256 = ["{pin.upper()}"]
        scopes = ["vov:read"]
        """,
    )
    with pytest.raises(BrugValidationError) as exc:
        load_settings(path)
    assert "config.duplicate-certificate" in violations(exc)["clients.two.cert_sha256"]
