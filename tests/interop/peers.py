"""Drivers for the independent WS-Security peers brug is tested against (issue 3).

Two peers, both from Debian and neither sharing code with brug (which signs through python-xmlsec
and lxml):

* **Apache WSS4J 1.6** (``libwss4j-java``): the stack of MAGDA's public connector. A small Java
  harness (``java/WssHarness.java``) is compiled here against the Debian jars and driven as a CLI.
* **xmlsec1** (``xmlsec1``): the XML Security Library's own command line tool.

This module only runs the peers; the assertions live in the ``test_*.py`` files. It is also
used by ``benchmarks/_wss4j.py``, so it must not import pytest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HARNESS_SOURCE = HERE / "java" / "WssHarness.java"
BUILD_DIR = HERE / "_build"
INSTALL_HINT = "run .ci/install-peers.sh"

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

# The Debian jars the harness needs. WSS4J 1.6 logs through commons-logging and Santuario
# (xmlsec 2.x) through slf4j; slf4j-nop keeps slf4j from warning about a missing binding.
JAVA_LIB = Path(os.environ.get("BRUG_JAVA_LIB", "/usr/share/java"))
JARS: tuple[str, ...] = (
    "wss4j.jar",
    "xmlsec.jar",
    "slf4j-api.jar",
    "slf4j-nop.jar",
    "commons-logging.jar",
)
KEYSTORE_PASSWORD = "changeit"

# Short-lived JVMs: skip the tiered JIT's top tier and use the serial GC, which halves start-up.
FAST_JVM: tuple[str, ...] = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")


class PeerUnavailable(RuntimeError):
    """The peer is not installed here; the message says what to install."""


# --------------------------------------------------------------------------- messages


def envelope(soap_ns: str, text: str = "hallo Brussel", header: bool = True) -> bytes:
    """An unsigned request envelope with a Dutch/French payload (non-ASCII on purpose)."""
    head = "<soap:Header/>" if header else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<soap:Envelope xmlns:soap="{soap_ns}">{head}'
        '<soap:Body><m:Ping xmlns:m="urn:brug:interop:ping">'
        f"<m:Text>{text}</m:Text><m:Note>één café à Liège</m:Note>"
        "</m:Ping></soap:Body></soap:Envelope>"
    ).encode()


def tamper_body(
    signed: bytes, old: bytes = b"hallo Brussel", new: bytes = b"hallo Bruxelles"
) -> bytes:
    """Change the Body's text after signing (what an attacker on the path would do)."""
    if signed.count(old) != 1:
        raise ValueError("the payload text must occur exactly once in the message")
    return signed.replace(old, new)


# --------------------------------------------------------------------------- WSS4J


def wss4j_missing() -> str | None:
    """Why the WSS4J harness cannot run here, or None when it can."""
    for tool in ("java", "javac", "keytool"):
        if shutil.which(tool) is None:
            return f"WSS4J not installed: {tool} missing ({INSTALL_HINT})"
    missing = [j for j in JARS if not (JAVA_LIB / j).exists()]
    if missing:
        return f"WSS4J not installed: {', '.join(missing)} missing in {JAVA_LIB} ({INSTALL_HINT})"
    return None


def classpath(extra: Path | None = None) -> str:
    """The harness classpath: its compiled classes (if given) and the Debian jars."""
    entries = [str(JAVA_LIB / j) for j in JARS]
    if extra is not None:
        entries.insert(0, str(extra))
    return os.pathsep.join(entries)


@cache
def _javac_version() -> str:
    out = subprocess.run(["javac", "-version"], capture_output=True, text=True, check=True)
    return (out.stdout + out.stderr).strip()


def compile_harness() -> Path:
    """Compile WssHarness.java once per source/JDK/jar set and return the classes directory.

    The output directory is keyed by a hash of the source, the javac version and the jar sizes,
    so editing the harness or upgrading the Debian packages recompiles, and nothing else does.
    Compilation goes to a temporary sibling and is renamed into place, so concurrent test runs
    never see half-written classes.
    """
    reason = wss4j_missing()
    if reason:
        raise PeerUnavailable(reason)
    h = hashlib.sha256(HARNESS_SOURCE.read_bytes())
    h.update(_javac_version().encode())
    for j in JARS:
        st = (JAVA_LIB / j).stat()
        h.update(f"{j}:{st.st_size}".encode())
    out = BUILD_DIR / h.hexdigest()[:16]
    if (out / "WssHarness.class").exists():
        return out
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="javac-", dir=BUILD_DIR))
    proc = subprocess.run(
        [
            "javac",
            "-nowarn",
            "-encoding",
            "UTF-8",
            "-d",
            str(tmp),
            "-cp",
            classpath(),
            str(HARNESS_SOURCE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"javac failed on {HARNESS_SOURCE.name}:\n{proc.stderr}")
    try:
        tmp.rename(out)
    except OSError:  # another run won the race: its classes are identical
        shutil.rmtree(tmp, ignore_errors=True)
    for stale in BUILD_DIR.iterdir():  # builds of older sources or jars
        if stale != out and stale.is_dir() and not stale.name.startswith("javac-"):
            shutil.rmtree(stale, ignore_errors=True)
    return out


@dataclass(frozen=True)
class JavaStores:
    """What WSS4J needs in place of brug's PEM files: a keystore per party and a truststore."""

    keystores: dict[str, Path]  # party name -> PKCS#12 (alias == party name, CA in the chain)
    truststore: Path  # JKS holding brug's test CA as a trusted certificate entry
    password: str = KEYSTORE_PASSWORD


def make_java_stores(pki_dir: Path, out_dir: Path, parties: Sequence[str]) -> JavaStores:
    """Give WSS4J brug's PKI: the parties' own PKCS#12 files and a JKS truststore of the CA.

    brug's ``NAME.p12`` files are used as they are: that a JDK keystore loads them (PBES2/AES
    PKCS#12 from ``cryptography``) is itself part of what a Java partner needs. The truststore
    goes through ``keytool``, as a Java peer would import our CA.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stores = {party: pki_dir / f"{party}.p12" for party in parties}
    trust = out_dir / "trust.jks"
    if not trust.exists():
        subprocess.run(
            [
                "keytool",
                "-importcert",
                "-noprompt",
                "-alias",
                "brug-test-ca",
                "-file",
                str(pki_dir / "ca.pem"),
                "-keystore",
                str(trust),
                "-storetype",
                "JKS",
                "-storepass",
                KEYSTORE_PASSWORD,
            ],
            capture_output=True,
            check=True,
        )
    return JavaStores(stores, trust)


@dataclass(frozen=True)
class HarnessResult:
    """Exit code and output of one harness run; ``report`` is verify's JSON when it succeeded."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    @property
    def signed_part_names(self) -> set[str]:
        return {p["name"] for p in self.report["signed_parts"]}


class Wss4j:
    """The compiled WSS4J harness, driven one JVM per command."""

    def __init__(self, classes: Path, stores: JavaStores) -> None:
        self.classes = classes
        self.stores = stores

    def _run(self, args: Sequence[str], fast: bool = True, timeout: float = 60) -> HarnessResult:
        cmd = ["java", *(FAST_JVM if fast else ()), "-cp", classpath(self.classes), "WssHarness"]
        proc = subprocess.run(
            [*cmd, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        return HarnessResult(proc.returncode, proc.stdout, proc.stderr)

    def sign(
        self,
        profile: str,
        party: str,
        src: Path,
        dst: Path,
        *,
        keystore: Path | None = None,
        alias: str | None = None,
        ttl: int | None = None,
    ) -> Path:
        """Sign ``src`` into ``dst`` as WSS4J would for ``profile`` (``ksz`` or ``magda``)."""
        args = ["sign", "--profile", profile, "--password", self.stores.password]
        args += ["--keystore", str(keystore or self.stores.keystores[party])]
        if alias is not None or keystore is None:
            args += ["--alias", alias or party]
        if ttl is not None:
            args += ["--ttl", str(ttl)]
        res = self._run([*args, str(src), str(dst)])
        if not res.ok:
            raise RuntimeError(f"WSS4J failed to sign ({res.returncode}): {res.stderr.strip()}")
        return dst

    def verify(self, src: Path, subject_regex: str | None = None) -> HarnessResult:
        """Verify ``src`` with WSS4J against the test CA; never raises on a refusal."""
        args = ["verify", "--truststore", str(self.stores.truststore)]
        args += ["--password", self.stores.password]
        if subject_regex is not None:
            args += ["--subject", subject_regex]
        return self._run([*args, str(src)])

    def bench(self, profile: str, party: str, n: int, src: Path) -> dict[str, Any]:
        """Sign n and verify n messages in one warmed-up JVM; return the harness's JSON."""
        args = ["bench", "--profile", profile, "--keystore", str(self.stores.keystores[party])]
        args += ["--password", self.stores.password, "--alias", party]
        args += ["--truststore", str(self.stores.truststore), str(n), str(src)]
        res = self._run(args, fast=False, timeout=600)
        if not res.ok:
            raise RuntimeError(f"WSS4J bench failed ({res.returncode}): {res.stderr.strip()}")
        data: dict[str, Any] = json.loads(res.stdout)
        return data


# --------------------------------------------------------------------------- xmlsec1


def xmlsec1_missing() -> str | None:
    """Why xmlsec1 cannot run here, or None when it can."""
    if shutil.which("xmlsec1") is None:
        return f"xmlsec1 not installed ({INSTALL_HINT})"
    return None


def _id_attrs() -> list[str]:
    # xmlsec1 knows xml:id and DSig Ids only; WS-Security's wsu:Id has to be declared as an ID
    # attribute per element, for both SOAP versions' Body.
    nodes = [f"{SOAP11}:Body", f"{SOAP12}:Body", f"{WSU}:Timestamp", f"{WSSE}:BinarySecurityToken"]
    args: list[str] = []
    for node in nodes:
        args += ["--id-attr:Id", node]
    return args


@dataclass(frozen=True)
class Xmlsec1Result:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def xmlsec1_verify(src: Path, cert_pem: Path) -> Xmlsec1Result:
    """``xmlsec1 --verify`` with the signer's certificate as the key.

    xmlsec1 cannot follow a wsse:SecurityTokenReference to the BinarySecurityToken, so the key is
    given explicitly (``--pubkey-cert-pem``); what is checked is the signature arithmetic and every
    reference digest, computed by an implementation that shares no code path with brug's.
    """
    proc = subprocess.run(
        ["xmlsec1", "--verify", *_id_attrs(), "--pubkey-cert-pem", str(cert_pem), str(src)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Xmlsec1Result(proc.returncode, proc.stdout + proc.stderr)


def xmlsec1_sign(template: Path, key_pem: Path, cert_pem: Path, dst: Path) -> Path:
    """``xmlsec1 --sign`` a template holding an empty ds:Signature; raises on failure."""
    proc = subprocess.run(
        [
            "xmlsec1",
            "--sign",
            *_id_attrs(),
            "--privkey-pem",
            f"{key_pem},{cert_pem}",
            "--output",
            str(dst),
            str(template),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"xmlsec1 failed to sign ({proc.returncode}): {proc.stderr.strip()}")
    return dst


def xmlsec1_version() -> str:
    out = subprocess.run(["xmlsec1", "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()
