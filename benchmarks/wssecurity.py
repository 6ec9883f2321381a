"""Sign and verify throughput of brug's WS-Security layer beside the cryptographic floor.

The floor is what no implementation can avoid on the same message: exclusive C14N of the
signed parts (Body, Timestamp, token) and of SignedInfo, their SHA-256 digests and one raw
RSA-2048 sign (or verify), done with lxml + cryptography on an already-parsed tree. The ratio
"brug time / floor time" is what the targets are about: sign <= 1.3x, verify <= 2x.

What each row compares (the headline rows are like for like):

* ``sign (tree)`` -- the headline sign figure: ``Signer.sign_element(root)`` on an unsigned
  envelope tree against the sign floor, which also works on a tree and does not serialise. This
  is what the gateway does with its answers (``gateway/service/soap/pipeline.py`` builds the
  answer Envelope as a tree with ``envelope_element(..., declare={"wsu": WSU})`` and signs it).
  Each call signs a fresh ``copy.deepcopy`` of such an unsigned envelope holding the sample
  payload (signing adds to the tree); the copy is counted in brug's time.
* ``sign (bytes)`` -- context: ``Signer.sign(bytes)`` (hardened parse, sign, serialise).
* ``verify (tree)`` -- the headline verify figure: ``Verifier.verify_element(root)`` on an
  already-parsed tree against the verify floor, which also starts from a parsed tree. This is
  what the gateway does: its SOAP endpoint (``gateway/service/soap/identify.py``) parses each
  envelope once with the hardened parser and hands the tree to ``verify_element``, and shares
  it with XSD validation and mapping. The trees come from a pool of distinct signed messages,
  each parsed with that same hardened parser *outside* the timed loop; the replay cache is real
  and on, so each pass over the pool gets a fresh cache. ``verify_element`` only modifies a tree
  whose Body holds a comment or processing instruction (it swaps in the Body re-parsed from the
  signed bytes); the benchmark messages hold none, so a tree can be verified again on the next
  pass, and the script checks that verifying leaves a tree's serialisation unchanged.
* ``verify (bytes)`` -- context, not a target: ``Verifier.verify(bytes)`` (hardened parse, then
  the same policy) against the verify floor plus one plain lxml parse of the same bytes.
  The WSS4J figures are bytes to bytes as well (see ``benchmarks/_wss4j.py``).

All eight functions are measured interleaved, in turns of ~50 ms, so that brug and its floor run
under the same machine conditions (see :func:`rates`).

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
import base64
import copy
import importlib
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar, cast

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from gateway.soap.envelope import envelope_element
from gateway.wssecurity import (
    InMemoryReplayCache,
    KeyMaterial,
    Signer,
    TrustStore,
    Verifier,
    load_profile,
)
from gateway.wssecurity.pki import init_pki
from gateway.xml.safe_parser import ParseLimits, parse_xml

_Item = TypeVar("_Item")

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


@dataclass
class Measured:
    """Aggregate rates, and the cost per operation of each turn, for paired ratios."""

    rate: dict[str, float]
    turns: list[dict[str, float]]  # per round: seconds per operation of each function

    def ratio(self, mine: str, floor: str) -> float:
        """Median over rounds of (brug's cost / the floor's cost) in the *same* round.

        Each round runs every function for ~50 ms back to back, so a pair is measured under the
        same machine conditions; the median ignores the rounds a neighbour's burst hit one side
        of. On a quiet machine it equals the ratio of the aggregate rates.
        """
        return statistics.median(turn[mine] / turn[floor] for turn in self.turns)


def rates(fns: dict[str, Callable[[], object]], seconds: float) -> Measured:
    """Operations per second of each of ``fns``, measured interleaved, about ``seconds`` each.

    The functions take turns in slices of ~50 ms until each has run for ``seconds``, so that a
    machine whose speed drifts during the run (shared cores, frequency changes) slows brug and
    its floor alike: a ratio is only meaningful between figures taken under the same
    conditions, which back-to-back measurements of several seconds each do not guarantee.
    """
    for fn in fns.values():  # warm-up: caches, lazily built state, branch predictors
        for _ in range(20):
            fn()
    counts = dict.fromkeys(fns, 0)
    spent = dict.fromkeys(fns, 0.0)
    turns: list[dict[str, float]] = []
    while min(spent.values()) < seconds:
        turn: dict[str, float] = {}
        for name, fn in fns.items():
            start = time.perf_counter()
            deadline = start + 0.05
            done = 0
            while True:
                for _ in range(5):
                    fn()
                done += 5
                now = time.perf_counter()
                if now >= deadline:
                    break
            counts[name] += done
            spent[name] += now - start
            turn[name] = (now - start) / done
        turns.append(turn)
    return Measured({name: counts[name] / spent[name] for name in fns}, turns)


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


def _verify_cycle(
    verifier: Verifier, check: Callable[[_Item], object], items: list[_Item]
) -> Callable[[], None]:
    """A callable that runs ``check`` (a method of ``verifier``) on the next item of the pool.

    Each verification needs a fresh signature (the replay cache is real and on): cycle through
    the pool with a new cache for each pass over it.
    """
    state = {"i": 0}

    def verify_next() -> None:
        i = state["i"]
        if i == len(items):
            verifier.replay_cache = InMemoryReplayCache()
            i = 0
        check(items[i])
        state["i"] = i + 1

    return verify_next


def _c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def _digest_parts(refs: list[etree._Element], signed_info: etree._Element) -> bytes:
    """The floor's digest work: exc-C14N + SHA-256 of each part; the canonical SignedInfo."""
    for el in refs:
        h = hashes.Hash(hashes.SHA256())
        h.update(_c14n(el))
        h.finalize()
    return _c14n(signed_info)


def floors(
    signed: bytes, key: rsa.RSAPrivateKey
) -> tuple[Callable[[], None], Callable[[], None], Callable[[], None]]:
    """(sign floor, verify floor, verify floor including one plain lxml parse of the bytes)."""
    root = etree.fromstring(signed)
    refs, signed_info = _parts(root)
    public = key.public_key()
    signature = key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())

    def sign_floor() -> None:
        key.sign(_digest_parts(refs, signed_info), padding.PKCS1v15(), hashes.SHA256())

    def verify_floor() -> None:
        public.verify(
            signature, _digest_parts(refs, signed_info), padding.PKCS1v15(), hashes.SHA256()
        )

    def verify_floor_with_parse() -> None:
        parts, info = _parts(etree.fromstring(signed))
        public.verify(signature, _digest_parts(parts, info), padding.PKCS1v15(), hashes.SHA256())

    return sign_floor, verify_floor, verify_floor_with_parse


def pooled_verify_floor(
    trees: list[etree._Element], public: rsa.RSAPublicKey
) -> Callable[[], None]:
    """The verify floor over the same pool of parsed messages that ``verify (tree)`` cycles
    through, each with its own SignatureValue: the same work as ``verify_floor`` but on
    distinct, cache-cold trees, as brug meets them (a context row, not the target's floor)."""
    prepared = []
    for root in trees:
        refs, signed_info = _parts(root)
        value = signed_info.getnext()
        assert value is not None and value.text is not None
        prepared.append((refs, signed_info, base64.b64decode(value.text)))
    state = {"i": 0}

    def verify_floor_pool() -> None:
        i = state["i"]
        if i == len(prepared):
            i = 0
        refs, signed_info, signature = prepared[i]
        public.verify(
            signature, _digest_parts(refs, signed_info), padding.PKCS1v15(), hashes.SHA256()
        )
        state["i"] = i + 1

    return verify_floor_pool


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

        # As the gateway builds its answers: wsu declared on the Envelope, ready for signing.
        unsigned = envelope_element(parse_xml(envelope)[1][0], "1.1", declare={"wsu": WSU})
        pool = [signer.sign(envelope) for _ in range(500)]
        trust = TrustStore.from_pem_files([pki.ca_cert])
        # verify(bytes): the hardened parse is part of the measured work (context row).
        by_bytes = Verifier(profile, trust)
        # verify_element(tree): the gateway's call; parsing happens here, outside the timing,
        # with the hardened parser and the profile's limits (as Verifier.verify parses).
        limits = ParseLimits(profile.max_message_bytes, profile.max_depth)
        trees = [parse_xml(message, limits) for message in pool]
        probe = Verifier(profile, trust)
        before = etree.tostring(trees[0])
        probe.verify_element(trees[0])
        if etree.tostring(trees[0]) != before:  # a guard on the method, not expected to fire
            raise SystemExit("verify_element changed the tree: the pool cannot be reused")
        by_tree = Verifier(profile, trust)
        sign_floor_op, verify_floor_op, parse_floor_op = floors(signed, material.private_key)
        measured = rates(
            {
                "sign tree": lambda: signer.sign_element(copy.deepcopy(unsigned)),
                "sign floor": sign_floor_op,
                "sign": lambda: signer.sign(envelope),
                "verify tree": _verify_cycle(by_tree, by_tree.verify_element, trees),
                "verify floor": verify_floor_op,
                "verify floor pool": pooled_verify_floor(trees, material.private_key.public_key()),
                "verify bytes": _verify_cycle(by_bytes, by_bytes.verify, pool),
                "verify floor + parse": parse_floor_op,
            },
            args.seconds,
        )
        rate = measured.rate
        sign_rate, sign_floor = rate["sign"], rate["sign floor"]
        sign_tree_rate = rate["sign tree"]
        tree_rate, verify_floor = rate["verify tree"], rate["verify floor"]
        bytes_rate, parse_floor = rate["verify bytes"], rate["verify floor + parse"]

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
        f"unsigned / {len(signed)} B signed, {args.seconds:.1f}s per measurement, interleaved"
        f" in {len(measured.turns)} rounds; ratio = median of the rounds' paired cost ratios"
    )
    header = f"{'operation':<14} {'brug ops/s':>11} {'floor ops/s':>12} {'ratio':>7} {'target':>10}"
    if wss4j is not None:
        header += f" {'WSS4J ops/s':>12}"
    print(header)
    print("-" * len(header))
    rows: list[tuple[str, float, float, float, float | None, float | None]] = [
        (
            "sign (tree)",
            sign_tree_rate,
            sign_floor,
            measured.ratio("sign tree", "sign floor"),
            1.3,
            None,
        ),
        (
            "sign (bytes)",
            sign_rate,
            sign_floor,
            measured.ratio("sign", "sign floor"),
            None,
            wss4j[0] if wss4j else None,
        ),
        (
            "verify (tree)",
            tree_rate,
            verify_floor,
            measured.ratio("verify tree", "verify floor"),
            2.0,
            None,
        ),
        (
            "verify (pool)",
            tree_rate,
            rate["verify floor pool"],
            measured.ratio("verify tree", "verify floor pool"),
            None,
            None,
        ),
        (
            "verify (bytes)",
            bytes_rate,
            parse_floor,
            measured.ratio("verify bytes", "verify floor + parse"),
            None,
            wss4j[1] if wss4j else None,
        ),
    ]
    for name, mine, floor, ratio, target, other in rows:
        if target is None:
            mark = "   context"
        else:
            mark = f"{target:>4.1f}x {'ok' if ratio <= target else 'OVER':<4}"
        line = f"{name:<14} {mine:>11.0f} {floor:>12.0f} {ratio:>6.2f}x {mark:>10}"
        if wss4j is not None:
            line += f" {other:>12.0f}" if other is not None else f" {'':>12}"
        print(line)
    print(
        "sign (tree): Signer.sign_element on a copy of the parsed envelope (how the gateway signs"
        " its answers) vs the floor on a parsed tree; sign (bytes) adds parsing and serialising"
    )
    print(
        "verify (tree): Verifier.verify_element on pre-parsed trees (what the gateway calls) "
        "vs the floor on a parsed tree"
    )
    print(
        "verify (pool): the same verify (tree) figure vs the floor run over the same 500"
        " distinct parsed messages (cache-cold, as brug meets them) instead of one warm tree"
    )
    print(
        "verify (bytes): Verifier.verify(bytes), hardened parse included, vs the floor plus "
        "one plain lxml parse"
    )
    if wss4j is None:
        print("(no WSS4J column: benchmarks/_wss4j.py or Java/WSS4J not available)")


if __name__ == "__main__":
    main()
