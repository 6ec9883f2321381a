"""Shared fixtures: one development PKI per session and a small kit to sign, tamper and verify.

No crypto is mocked: every message is really signed and really verified. ``Kit.resign`` plays a
*key holder* who builds a non-conforming message on purpose (e.g. with an XSLT transform): the
crypto is then valid, so only the policy rule under test can refuse it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from gateway.wssecurity import (
    InMemoryReplayCache,
    KeyMaterial,
    Profile,
    Signer,
    TrustStore,
    Verifier,
    load_profile,
)
from gateway.wssecurity.algorithms import DIGEST_BY_URI, SIGNATURE_BY_URI, digest, exc_c14n, sign
from gateway.wssecurity.ns import DS, SOAP11, SOAP12, WSSE, WSU
from gateway.wssecurity.pki import PkiLayout, init_pki

NS = {"s11": SOAP11, "s12": SOAP12, "wsse": WSSE, "wsu": WSU, "ds": DS, "m": "urn:brug:test"}

BODY_XML = (
    '<m:AanvraagVOV xmlns:m="urn:brug:test"><m:KBO>0316381039</m:KBO>'
    "<m:Email>user@user.com.evil.com</m:Email><m:Uren>125</m:Uren></m:AanvraagVOV>"
)


def envelope(version: str = "1.1", body: str = BODY_XML, header: str = "") -> bytes:
    ns = SOAP11 if version == "1.1" else SOAP12
    head = f"<soap:Header>{header}</soap:Header>" if header else ""
    return (
        f'<soap:Envelope xmlns:soap="{ns}">{head}<soap:Body>{body}</soap:Body></soap:Envelope>'
    ).encode()


@dataclass
class Kit:
    pki: PkiLayout
    trust: TrustStore
    _materials: dict[str, KeyMaterial] = field(default_factory=dict)

    def material(self, party: str = "flanders", chain: bool = False) -> KeyMaterial:
        key = f"{party}:{chain}"
        if key not in self._materials:
            p = self.pki[party]
            chain_paths = (self.pki.ca_cert,) if chain else ()
            self._materials[key] = KeyMaterial.from_pem(p.key, p.cert, chain_paths)
        return self._materials[key]

    def signer(
        self, profile: str | Profile = "strict", party: str = "flanders", **kw: Any
    ) -> Signer:
        prof = load_profile(profile) if isinstance(profile, str) else profile
        return Signer(prof, self.material(party, chain=kw.pop("chain", False)), **kw)

    def sign(
        self,
        profile: str | Profile = "strict",
        party: str = "flanders",
        version: str = "1.1",
        body: str = BODY_XML,
        **kw: Any,
    ) -> bytes:
        return self.signer(profile, party, **kw).sign(envelope(version, body))

    def verifier(self, profile: str | Profile = "strict", **kw: Any) -> Verifier:
        prof = load_profile(profile) if isinstance(profile, str) else profile
        kw.setdefault("replay_cache", InMemoryReplayCache())
        return Verifier(prof, kw.pop("trust", self.trust), **kw)

    def verify(self, data: bytes, profile: str | Profile = "strict", **kw: Any) -> Any:
        return self.verifier(profile, **kw).verify(data)

    def resign(self, root: etree._Element, party: str = "flanders") -> bytes:
        """Recompute every digest (as exc-c14n) and the signature value, as a key holder would."""
        ids = {}
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in (f"{{{WSU}}}Id", "Id"):
                if el.get(attr):
                    ids[el.get(attr)] = el
        sig = root.find(f".//{{{DS}}}Signature")
        signed_info = sig.find(f"{{{DS}}}SignedInfo")
        for ref in signed_info.iter(f"{{{DS}}}Reference"):
            uri = ref.get("URI") or ""
            target = ids.get(uri[1:]) if uri.startswith("#") else None
            if target is None:
                continue
            alg = DIGEST_BY_URI.get(ref.find(f"{{{DS}}}DigestMethod").get("Algorithm"))
            if alg is None:
                continue
            ref.find(f"{{{DS}}}DigestValue").text = base64.b64encode(
                digest(alg, exc_c14n(target))
            ).decode()
        method = signed_info.find(f"{{{DS}}}SignatureMethod").get("Algorithm")
        alg = SIGNATURE_BY_URI.get(
            method, SIGNATURE_BY_URI["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
        )
        value = sign(alg, self.material(party).private_key, exc_c14n(signed_info))
        sig.find(f"{{{DS}}}SignatureValue").text = base64.b64encode(value).decode()
        return etree.tostring(root)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def kit(pki: PkiLayout) -> Kit:
    return Kit(pki, TrustStore.from_pem_files([pki.ca_cert]))


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def find(root: etree._Element, path: str) -> etree._Element:
    el = root.find(path, NS)
    assert el is not None, path
    return el


def clock_at(delta: timedelta) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) + delta


@pytest.fixture
def tools() -> Any:
    """Plain helpers (importing conftest is not possible with --import-mode=importlib)."""

    class Tools:
        NS = NS
        BODY_XML = BODY_XML
        envelope = staticmethod(envelope)
        parse = staticmethod(parse)
        find = staticmethod(find)
        clock_at = staticmethod(clock_at)
        root_of: Callable[[Path], etree._Element] = staticmethod(
            lambda p: etree.fromstring(Path(p).read_bytes())
        )

    return Tools
