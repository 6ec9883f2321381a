"""Sign and verify throughput of brug's WS-Security layer beside the cryptographic floor.

The floor is what no implementation can avoid on the same message: exclusive C14N of the
signed parts (Body, Timestamp, token) and of SignedInfo, their SHA-256 digests and one raw
RSA-2048 sign (or verify), done with lxml + cryptography on an already-parsed tree. The ratio
"brug time / floor time" is what the targets are about: sign <= 1.3x, verify <= 2x.

Run: ``python -m benchmarks.wssecurity`` (or ``python benchmarks/wssecurity.py``) from the
repository root; ``--seconds`` sets the time per measurement.

A WSS4J column appears when a module ``benchmarks/_wss4j.py`` provides
``wss4j_rates(envelope_path, pki_dir, n, *, profile) -> tuple[float, float] | None``
(signs/s, verifies/s; None when Java/WSS4J is not installed); it is skipped when missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this script's folder would come first on sys.path and
    # benchmarks/gateway.py would shadow the ``gateway`` package: put the repository root there.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import importlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import cast

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from gateway.wssecurity import (
    InMemoryReplayCache,
    KeyMaterial,
    Signer,
    TrustStore,
    Verifier,
    load_profile,
)
from gateway.wssecurity.pki import init_pki

DS = "http://www.w3.org/2000/09/xmldsig#"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def sample_envelope(target_bytes: int = 2048) -> bytes:
    """A SOAP 1.1 VOV-like request of about ``target_bytes`` once signed parts are excluded."""
    rows: list[str] = []
    i = 0
    while sum(len(r) for r in rows) < target_bytes - 400:
        rows.append(
            f"<m:Cursus><m:ODB>{100000 + i}</m:ODB><m:Titel>Opleiding {i} boekhouding"
            f"</m:Titel><m:Uren>32</m:Uren><m:Start>2025-09-0{i % 9 + 1}</m:Start></m:Cursus>"
        )
        i += 1
    body = (
        '<m:AanvraagVOV xmlns:m="urn:brug:vov:1"><m:KBO>0316381039</m:KBO>'
        f"<m:Schooljaar>2025-2026</m:Schooljaar>{''.join(rows)}</m:AanvraagVOV>"
    )
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        fn()
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            fn()
        count += 20
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


_WSU_IDS = etree.XPath("//@wsu:Id", namespaces={"wsu": WSU})
_SIGNED_INFO = etree.XPath("//ds:SignedInfo", namespaces={"ds": DS})


def _parts(root: etree._Element) -> tuple[list[etree._Element], etree._Element]:
    """The referenced elements and SignedInfo, found the cheapest way lxml offers."""
    ids: dict[str, etree._Element] = {
        str(a): a.getparent()  # type: ignore[union-attr,misc]
        for a in _WSU_IDS(root)  # type: ignore[union-attr]
    }
    signed_info = cast(etree._Element, _SIGNED_INFO(root)[0])  # type: ignore[index]
    refs = [ids[r.get("URI", "")[1:]] for r in signed_info.iter(f"{{{DS}}}Reference")]
    return refs, signed_info


def _c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def floors(signed: bytes, key: rsa.RSAPrivateKey, seconds: float) -> tuple[float, float, float]:
    """(sign floor, verify floor, verify floor including one plain lxml parse of the bytes)."""
    root = etree.fromstring(signed)
    refs, signed_info = _parts(root)
    public = key.public_key()
    signature = key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())

    def digests() -> bytes:
        for el in refs:
            h = hashes.Hash(hashes.SHA256())
            h.update(_c14n(el))
            h.finalize()
        return _c14n(signed_info)

    def sign_floor() -> None:
        key.sign(digests(), padding.PKCS1v15(), hashes.SHA256())

    def verify_floor() -> None:
        public.verify(signature, digests(), padding.PKCS1v15(), hashes.SHA256())

    def verify_floor_with_parse() -> None:
        parsed = etree.fromstring(signed)
        parts, info = _parts(parsed)
        for el in parts:
            h = hashes.Hash(hashes.SHA256())
            h.update(_c14n(el))
            h.finalize()
        public.verify(signature, _c14n(info), padding.PKCS1v15(), hashes.SHA256())

    return (
        rate(sign_floor, seconds),
        rate(verify_floor, seconds),
        rate(verify_floor_with_parse, seconds),
    )


def _wss4j() -> ModuleType | None:
    for name in ("benchmarks._wss4j", "_wss4j"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--profile", default="ksz", choices=["ksz", "magda", "strict"])
    parser.add_argument("--wss4j-n", type=int, default=1000, help="WSS4J round trips, if present")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pki = init_pki(Path(tmp))
        profile = load_profile(args.profile)
        material = KeyMaterial.from_pem(pki["flanders"].key, pki["flanders"].cert)
        assert isinstance(material.private_key, rsa.RSAPrivateKey)
        signer = Signer(profile, material)
        envelope = sample_envelope()
        signed = signer.sign(envelope)
        body_size = len(etree.tostring(etree.fromstring(envelope)))

        sign_rate = rate(lambda: signer.sign(envelope), args.seconds)

        # Every verification needs a fresh signature (the replay cache is real and on): cycle
        # through a pool of signed messages, with a new cache for each pass over the pool.
        pool = [signer.sign(envelope) for _ in range(500)]
        verifier = Verifier(profile, TrustStore.from_pem_files([pki.ca_cert]))
        state = {"i": 0}

        def verify_next() -> None:
            i = state["i"]
            if i == len(pool):
                verifier.replay_cache = InMemoryReplayCache()
                i = 0
            verifier.verify(pool[i])
            state["i"] = i + 1

        verify_rate = rate(verify_next, args.seconds)

        sign_floor, verify_floor, parse_floor = floors(signed, material.private_key, args.seconds)

        wss4j: tuple[float, float] | None = None
        module = _wss4j()
        if module is not None and profile.name in ("ksz", "magda"):
            envelope_path = Path(tmp) / "envelope.xml"
            envelope_path.write_bytes(envelope)
            try:
                wss4j = module.wss4j_rates(
                    envelope_path, Path(tmp), args.wss4j_n, profile=profile.name
                )
            except Exception as exc:  # the peer is optional: report, never fail the run
                print(f"(WSS4J column skipped: {type(exc).__name__}: {exc})")

    print(
        f"WS-Security benchmark: profile {profile.name}, RSA-2048, envelope {body_size} B "
        f"unsigned / {len(signed)} B signed, {args.seconds:.1f}s per measurement"
    )
    header = f"{'operation':<9} {'brug ops/s':>11} {'floor ops/s':>12} {'ratio':>7} {'target':>7}"
    if wss4j is not None:
        header += f" {'WSS4J ops/s':>12}"
    print(header)
    print("-" * len(header))
    for name, mine, floor, target, other in (
        ("sign", sign_rate, sign_floor, 1.3, wss4j[0] if wss4j else None),
        ("verify", verify_rate, verify_floor, 2.0, wss4j[1] if wss4j else None),
    ):
        ratio = floor / mine
        mark = "ok" if ratio <= target else "OVER"
        line = f"{name:<9} {mine:>11.0f} {floor:>12.0f} {ratio:>6.2f}x {target:>5.1f}x {mark}"
        if other is not None:
            line += f" {other:>12.0f}"
        print(line)
    print(
        f"(context: verify floor incl. parsing the bytes {parse_floor:.0f} ops/s, "
        f"ratio {parse_floor / verify_rate:.2f}x)"
    )
    if wss4j is None:
        print("(no WSS4J column: benchmarks/_wss4j.py or Java/WSS4J not available)")


if __name__ == "__main__":
    main()
