"""The cached trust decision (chain, key usage, pins) must never outlive what it depended on.

Verifier keeps the outcome per exact token text, TrustStore and pin set; TrustStore keeps its
own per presented chain. Each test warms the cache with an accepted message first, then changes
one thing the decision depended on and expects the refusal a cold verifier would give.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.wssecurity import (
    InMemoryReplayCache,
    KeyMaterial,
    Signer,
    TrustStore,
    Verifier,
    WSSecurityFault,
    load_profile,
)
from gateway.wssecurity import verifier as verifier_module
from gateway.wssecurity.pki import _leaf

NOW = datetime.now(UTC).replace(microsecond=0)


class Clock:
    """A settable clock shared by a signer and a verifier (so Timestamps stay fresh)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def _ca_material(pki):
    key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), None)
    cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    return key, cert


def _intermediate(ca_key, ca_cert, not_after: datetime, cn: str = "brug test intermediate"):
    """An intermediate CA under the development CA (fresh key each call)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _signer_material(issuer_key, issuer_cert, not_after: datetime, chain=()):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _leaf(
        "cache.brug.test",
        "brug test",
        "cache.brug.test",
        key,
        issuer_key,
        issuer_cert,
        NOW - timedelta(days=1),
        not_after,
    )
    return KeyMaterial(key, cert, tuple(chain))


def _verifier(pki, clock, profile="strict", **kw):
    return Verifier(
        load_profile(profile),
        TrustStore.from_pem_files([pki.ca_cert]),
        replay_cache=InMemoryReplayCache(clock=clock),
        clock=clock,
        **kw,
    )


def _sign(material, clock, profile="strict", **kw):
    return Signer(load_profile(profile), material, clock=clock, **kw).sign(
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<s:Body><m:X xmlns:m="urn:m">1</m:X></s:Body></s:Envelope>'
    )


def _count_builds(monkeypatch) -> list[int]:
    """Count full chain validations (TrustStore._build), i.e. cache misses at every level."""
    calls = [0]
    original = TrustStore._build

    def counting(self, *args, **kwargs):
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TrustStore, "_build", counting)
    return calls


def test_repeat_token_is_served_from_cache(pki, monkeypatch):
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    material = _signer_material(ca_key, ca_cert, NOW + timedelta(days=30))
    builds = _count_builds(monkeypatch)
    verifier = _verifier(pki, clock)
    for _ in range(3):
        verifier.verify(_sign(material, clock))
    assert builds[0] == 1


def test_leaf_that_expires_between_two_calls_is_refused_on_the_second(pki):
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    material = _signer_material(ca_key, ca_cert, NOW + timedelta(hours=1))
    verifier = _verifier(pki, clock)
    verifier.verify(_sign(material, clock))  # cached now
    clock.moment = NOW + timedelta(hours=2)
    with pytest.raises(WSSecurityFault) as info:
        verifier.verify(_sign(material, clock))
    assert info.value.code == "wsse:FailedAuthentication"
    assert "expired on" in info.value.reason


def test_leaf_not_yet_valid_is_refused_even_after_a_later_success(pki):
    """The window is checked both ways: a clock going back before notBefore is refused."""
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    material = _signer_material(ca_key, ca_cert, NOW + timedelta(days=30))
    verifier = _verifier(pki, clock)
    verifier.verify(_sign(material, clock))
    clock.moment = NOW - timedelta(days=2)
    with pytest.raises(WSSecurityFault) as info:
        verifier.verify(_sign(material, clock))
    assert info.value.code == "wsse:FailedAuthentication"
    assert "not valid before" in info.value.reason


def test_intermediate_that_expires_between_two_calls_is_refused_on_the_second(pki):
    """The cached window is the tightest over the whole chain, not the leaf's alone."""
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    inter_key, inter_cert = _intermediate(ca_key, ca_cert, NOW + timedelta(hours=1))
    material = _signer_material(inter_key, inter_cert, NOW + timedelta(days=30), (inter_cert,))
    verifier = _verifier(pki, clock, "magda")
    verifier.verify(_sign(material, clock, "magda"))
    clock.moment = NOW + timedelta(hours=2)
    with pytest.raises(WSSecurityFault) as info:
        verifier.verify(_sign(material, clock, "magda"))
    assert info.value.code == "wsse:FailedAuthentication"
    assert "not trusted" in info.value.reason


def test_different_chain_for_the_same_leaf_is_not_served_from_cache(pki, monkeypatch):
    """Same leaf, but the token now carries an impostor intermediate (same name, other key)."""
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    inter_key, inter_cert = _intermediate(ca_key, ca_cert, NOW + timedelta(days=30))
    _, impostor = _intermediate(ca_key, ca_cert, NOW + timedelta(days=30))
    assert impostor.subject == inter_cert.subject and impostor != inter_cert
    good = _signer_material(inter_key, inter_cert, NOW + timedelta(days=30), (inter_cert,))
    bad = KeyMaterial(good.private_key, good.certificate, (impostor,))
    builds = _count_builds(monkeypatch)
    verifier = _verifier(pki, clock, "magda")
    verifier.verify(_sign(good, clock, "magda"))
    with pytest.raises(WSSecurityFault) as info:
        verifier.verify(_sign(bad, clock, "magda"))
    assert info.value.code == "wsse:FailedAuthentication"
    assert builds[0] == 2  # the second chain was validated, not looked up by its leaf
    # and the good chain is still accepted (its own cache entry)
    verifier.verify(_sign(good, clock, "magda"))


def test_trust_store_level_cache_is_keyed_on_the_whole_chain(pki):
    ca_key, ca_cert = _ca_material(pki)
    inter_key, inter_cert = _intermediate(ca_key, ca_cert, NOW + timedelta(days=30))
    _, impostor = _intermediate(ca_key, ca_cert, NOW + timedelta(days=30))
    leaf = _signer_material(inter_key, inter_cert, NOW + timedelta(days=30)).certificate
    store = TrustStore([ca_cert])
    assert store.validate(leaf, [inter_cert], NOW)[0] == leaf
    with pytest.raises(WSSecurityFault, match="not trusted"):
        store.validate(leaf, [impostor], NOW)
    with pytest.raises(WSSecurityFault, match="expired on"):
        store.validate(leaf, [inter_cert], NOW + timedelta(days=31))


def test_other_trust_store_is_not_served_from_cache(pki):
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    material = _signer_material(ca_key, ca_cert, NOW + timedelta(days=30))
    verifier = _verifier(pki, clock)
    verifier.verify(_sign(material, clock))
    verifier.trust = TrustStore.from_pem_files([pki.other_ca_cert])
    with pytest.raises(WSSecurityFault) as info:
        verifier.verify(_sign(material, clock))
    assert info.value.code == "wsse:FailedAuthentication"
    assert "not trusted" in info.value.reason


def test_changed_pins_are_not_served_from_cache(pki):
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    material = _signer_material(ca_key, ca_cert, NOW + timedelta(days=30))
    other = x509.load_pem_x509_certificate(pki["brussels"].cert.read_bytes())
    verifier = _verifier(pki, clock, pins=[material.certificate])
    verifier.verify(_sign(material, clock))
    verifier.pins = frozenset({bytes(32)})
    with pytest.raises(WSSecurityFault, match="pinned"):
        verifier.verify(_sign(material, clock))
    pinned_elsewhere = _verifier(pki, clock, pins=[other])
    with pytest.raises(WSSecurityFault, match="pinned"):
        pinned_elsewhere.verify(_sign(material, clock))


def test_cache_is_bounded(pki, monkeypatch):
    monkeypatch.setattr(verifier_module, "_TRUSTED_SIGNERS_MAX", 2)
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    verifier = _verifier(pki, clock)
    for _ in range(5):
        material = _signer_material(ca_key, ca_cert, NOW + timedelta(days=30))
        verifier.verify(_sign(material, clock))
        assert len(verifier._trusted) <= 2


def test_cached_decision_keeps_certificate_and_chain(pki):
    clock = Clock(NOW)
    ca_key, ca_cert = _ca_material(pki)
    material = _signer_material(ca_key, ca_cert, NOW + timedelta(days=30))
    verifier = _verifier(pki, clock)
    first = verifier.verify(_sign(material, clock))
    second = verifier.verify(_sign(material, clock))
    assert first.certificate == second.certificate == material.certificate
    assert first.chain == second.chain and second.chain[-1] == ca_cert
