"""Profiles are data and validated; PKIPath tokens round-trip; PKI layout is as promised."""

from __future__ import annotations

import pytest
from cryptography import x509
from pydantic import ValidationError

from gateway.wssecurity import Profile, available_profiles, load_profile
from gateway.wssecurity.tokens import decode_pkipath, encode_pkipath


def test_shipped_profiles():
    assert set(available_profiles()) >= {"ksz", "magda", "strict"}
    ksz = load_profile("ksz")
    assert ksz.max_timestamp_lifetime_seconds <= 300
    assert ksz.signature_algorithms == ("rsa-sha256",)
    magda = load_profile("magda")
    assert magda.token_type == "X509PKIPathv1"
    assert "rsa-sha1" in magda.signature_algorithms
    assert "rsa-sha1" not in load_profile("strict").signature_algorithms
    assert "sha1" not in load_profile("strict").digest_algorithms


def test_profile_from_file(tmp_path):
    path = tmp_path / "partner.toml"
    path.write_text('name = "partner"\nsignature_algorithms = ["rsa-sha256"]\n')
    assert load_profile(path).name == "partner"


@pytest.mark.parametrize(
    "update",
    [
        {"signature_algorithms": ["hmac-sha1"]},
        {"transform_algorithms": ["xslt"]},
        {"digest_algorithms": ["md5"]},
        {"signature_algorithms": ["ecdsa-sha256"]},  # default RSA signing alg not accepted
        {"unknown_field": 1},
        {"required_signed_parts": ["Bodyy"]},
    ],
)
def test_invalid_profiles_refused(update):
    with pytest.raises(ValidationError):
        Profile.model_validate({"name": "x", **update})


def test_unknown_profile_name():
    with pytest.raises(ValueError, match="known"):
        load_profile("nope")


def test_pkipath_round_trip(pki):
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    leaf = x509.load_pem_x509_certificate(pki["flanders"].cert.read_bytes())
    assert decode_pkipath(encode_pkipath([ca, leaf])) == (ca, leaf)
    with pytest.raises(ValueError):
        decode_pkipath(encode_pkipath([ca, leaf])[:-5])


def test_pki_layout(pki):
    for name in ("flanders", "brussels", "federal", "untrusted", "expired"):
        assert pki[name].p12.exists()
    flanders = x509.load_pem_x509_certificate(pki["flanders"].cert.read_bytes())
    cn = flanders.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert len(cn) == 10 and 97 - int(cn[:8]) % 97 == int(cn[8:])  # a valid KBO number
    assert (pki.ca_cert.parent / "ca.key").stat().st_mode & 0o077 == 0
