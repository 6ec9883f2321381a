"""WSS4J 1.6 sign/verify rates, as the yardstick for brug's own WS-Security benchmark.

``benchmarks/wssecurity.py`` compares brug's Signer/Verifier throughput with Apache WSS4J, the
Java stack MAGDA's connector runs. The numbers come from the interop harness
(``tests/interop/java/WssHarness.java``) in one warmed-up JVM: each iteration is bytes -> bytes
(parse, sign, serialise; parse, verify), the same unit of work as ``Signer.sign`` and
``Verifier.verify``, so the rates compare. When Java or the Debian jars are missing the function
returns None and the benchmark prints brug's figures alone (``.ci/install-peers.sh`` installs
them).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python benchmarks/wssecurity.py` or imported
    sys.path.insert(0, str(ROOT))

from tests.interop import peers


def wss4j_rates(
    envelope_path: str | Path,
    pki_dir: str | Path,
    n: int,
    *,
    profile: str = "ksz",
    party: str = "flanders",
) -> tuple[float, float] | None:
    """Return WSS4J's (signs/s, verifies/s) for ``envelope_path``, or None without WSS4J.

    ``pki_dir`` is a directory written by ``gateway.wssecurity.pki.init_pki`` (the party's
    ``.p12`` is the keystore, ``ca.pem`` the trust anchor). ``profile`` is ``ksz`` (RSA-SHA256,
    Timestamp + Body + token signed) or ``magda`` (RSA-SHA1, PKIPath token, Body signed).
    The JVM is warmed up first (at least 50, at most 300 round trips) and not timed.
    """
    if peers.wss4j_missing() is not None:
        return None
    if n <= 0:
        raise ValueError("n must be positive")
    pki = Path(pki_dir)
    classes = peers.compile_harness()
    with tempfile.TemporaryDirectory(prefix="brug-wss4j-") as tmp:
        stores = peers.make_java_stores(pki, Path(tmp), [party])
        result = peers.Wss4j(classes, stores).bench(profile, party, n, Path(envelope_path))
    return float(result["signs_per_s"]), float(result["verifies_per_s"])


if __name__ == "__main__":  # quick manual run: python benchmarks/_wss4j.py [N]
    from gateway.wssecurity.pki import init_pki

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as d:
        init_pki(d)
        env = Path(d) / "envelope.xml"
        env.write_bytes(peers.envelope(peers.SOAP11))
        for prof in ("ksz", "magda"):
            rates = wss4j_rates(env, d, count, profile=prof)
            if rates is None:
                print(f"WSS4J not available: {peers.INSTALL_HINT}")
                break
            print(f"WSS4J {prof}: {rates[0]:.0f} signs/s, {rates[1]:.0f} verifies/s (n={count})")
