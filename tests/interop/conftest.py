"""Session fixtures for the interop tests: one brug PKI, one compiled WSS4J harness.

Everything expensive (RSA key generation, javac, keytool) happens once per session so the whole
interop run stays well under two minutes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.interop.peers` must import whatever the import mode
    sys.path.insert(0, str(ROOT))

from tests.interop import peers  # noqa: E402

# Parties of brug's development PKI (gateway.wssecurity.pki.init_pki) used by these tests.
PARTIES = ("flanders", "brussels", "untrusted", "expired", "ecdsa")


@pytest.fixture(scope="session")
def wssecurity() -> object:
    """brug's WS-Security package, or a skip while it is not importable yet."""
    return pytest.importorskip("gateway.wssecurity", reason="gateway.wssecurity not available")


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory, wssecurity: object) -> Path:
    """brug's development PKI (CA, partners, untrusted, expired, ecdsa), created once."""
    pki = pytest.importorskip("gateway.wssecurity.pki")
    root = tmp_path_factory.mktemp("pki")
    pki.init_pki(root)
    return root


@pytest.fixture(scope="session")
def wss4j(tmp_path_factory: pytest.TempPathFactory, pki_dir: Path) -> peers.Wss4j:
    """The compiled WSS4J 1.6 harness with keystores for brug's PKI; skips if not installed."""
    reason = peers.wss4j_missing()
    if reason:
        pytest.skip(reason)
    classes = peers.compile_harness()
    stores = peers.make_java_stores(pki_dir, tmp_path_factory.mktemp("java-stores"), PARTIES)
    return peers.Wss4j(classes, stores)


@pytest.fixture(scope="session")
def xmlsec1() -> str:
    """The xmlsec1 version string; skips when the CLI is not installed."""
    reason = peers.xmlsec1_missing()
    if reason:
        pytest.skip(reason)
    return peers.xmlsec1_version()


@pytest.fixture(params=[peers.SOAP11, peers.SOAP12], ids=["soap11", "soap12"])
def soap_ns(request: pytest.FixtureRequest) -> str:
    ns: str = request.param
    return ns


@pytest.fixture(scope="session")
def make_signer(pki_dir: Path) -> Callable[..., Any]:
    """``make_signer(profile, party="flanders", pkcs12=False)`` -> brug ``Signer``.

    PEM loading is the default; ``pkcs12=True`` loads the party's .p12 (CA included in the
    chain), which is what a MAGDA X509PKIPathv1 token should carry.
    """
    from gateway.wssecurity import KeyMaterial, Signer, load_profile

    def make(profile: str, party: str = "flanders", pkcs12: bool = False) -> Any:
        if pkcs12:
            keys = KeyMaterial.from_pkcs12(pki_dir / f"{party}.p12", peers.KEYSTORE_PASSWORD)
        else:
            keys = KeyMaterial.from_pem(pki_dir / f"{party}.key", pki_dir / f"{party}.pem")
        return Signer(load_profile(profile), keys)

    return make


@pytest.fixture(scope="session")
def make_verifier(pki_dir: Path) -> Callable[..., Any]:
    """``make_verifier(profile, **kwargs)`` -> brug ``Verifier`` trusting the test CA only."""
    from gateway.wssecurity import TrustStore, Verifier, load_profile

    trust = TrustStore.from_pem_files([pki_dir / "ca.pem"])

    def make(profile: str, **kwargs: Any) -> Any:
        return Verifier(load_profile(profile), trust, **kwargs)

    return make
