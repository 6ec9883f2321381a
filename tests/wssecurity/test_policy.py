"""One test per verification rule; each fails if its rule is removed from the verifier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.wssecurity import InMemoryReplayCache, WSSecurityFault, fingerprint, load_profile
from gateway.wssecurity.ns import DS, WSU


def refused(kit, data, profile="strict", code=None, match=None, **kw):
    with pytest.raises(WSSecurityFault) as info:
        kit.verify(data, profile, **kw)
    if code:
        assert info.value.code == code, info.value
    if match:
        assert match in info.value.reason, info.value.reason
    return info.value


# -- integrity ------------------------------------------------------------------------------


def test_tampered_body(kit, tools):
    data = kit.sign().replace(b"<m:Uren>125</m:Uren>", b"<m:Uren>250</m:Uren>")
    refused(kit, data, code="wsse:FailedCheck", match="Body")


def test_tampered_timestamp(kit, tools):
    root = tools.parse(kit.sign())
    expires = tools.find(root, "s11:Header/wsse:Security/wsu:Timestamp/wsu:Expires")
    moment = datetime.fromisoformat(expires.text.replace("Z", "+00:00")) - timedelta(seconds=1)
    expires.text = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    refused(kit, etree.tostring(root), code="wsse:FailedCheck", match="Timestamp")


def test_tampered_signature_value(kit, tools):
    root = tools.parse(kit.sign())
    sv = tools.find(root, ".//ds:SignatureValue")
    sv.text = ("A" if sv.text[0] != "A" else "B") + sv.text[1:]
    refused(kit, etree.tostring(root), code="wsse:FailedCheck", match="signature value")


def test_unsigned_body(kit):
    base = load_profile("strict")
    no_body = base.model_copy(
        update={
            "sign_parts": ("Timestamp", "BinarySecurityToken"),
            "required_signed_parts": ("Timestamp", "BinarySecurityToken"),
        }
    )
    data = kit.sign(no_body)
    assert kit.verify(data, no_body)  # valid under a profile that does not care
    refused(kit, data, code="wsse:InvalidSecurity", match="requires Body")


def test_unsigned_token_refused_by_ksz(kit):
    base = load_profile("ksz")
    partial = base.model_copy(update={"sign_parts": ("Body", "Timestamp")})
    refused(kit, kit.sign(partial), "ksz", code="wsse:InvalidSecurity", match="BinarySecurityToken")


# -- timestamp ------------------------------------------------------------------------------


def test_expired_timestamp(kit, tools):
    data = kit.sign(clock=tools.clock_at(timedelta(minutes=-7)))
    refused(kit, data, code="wsu:MessageExpired")


def test_expired_timestamp_within_max_age(kit, tools):
    """Expires passed although Created is recent: the Expires rule alone must refuse it."""
    data = kit.sign(clock=tools.clock_at(timedelta(seconds=-150)), timestamp_lifetime_seconds=60)
    refused(kit, data, code="wsu:MessageExpired", match="expired at")


def test_too_old_without_expires_rule(kit, tools):
    """Created older than max age (even when Expires is still ahead) is refused."""
    base = load_profile("strict")
    lenient = base.model_copy(update={"max_timestamp_lifetime_seconds": 7200})
    data = kit.sign(
        lenient, clock=tools.clock_at(timedelta(minutes=-20)), timestamp_lifetime_seconds=3600
    )
    refused(kit, data, lenient, code="wsu:MessageExpired", match="older than")


def test_future_timestamp(kit, tools):
    data = kit.sign(clock=tools.clock_at(timedelta(minutes=5)))
    refused(kit, data, code="wsu:MessageExpired", match="future")


def test_small_clock_skew_is_tolerated(kit, tools):
    kit.verify(kit.sign(clock=tools.clock_at(timedelta(seconds=30))))


def test_lifetime_over_profile_max(kit):
    data = kit.sign("ksz", timestamp_lifetime_seconds=3600)
    refused(kit, data, "ksz", code="wsu:MessageExpired", match="lifetime")


def test_timestamp_required(kit):
    base = load_profile("magda")
    no_ts = base.model_copy(update={"sign_parts": ("Body", "BinarySecurityToken")})
    data = kit.sign(no_ts, chain=True)
    assert kit.verify(data, "magda").created is None  # magda does not require one
    strict_pkipath = load_profile("strict").model_copy(
        update={"required_signed_parts": ("Body", "BinarySecurityToken")}
    )
    refused(
        kit, data, strict_pkipath, code="wsse:InvalidSecurity", match="requires a wsu:Timestamp"
    )


def test_verifier_clock_is_used(kit, tools):
    data = kit.sign()
    later = tools.clock_at(timedelta(minutes=10))
    refused(kit, data, code="wsu:MessageExpired", clock=later)


# -- replay ---------------------------------------------------------------------------------


def test_replay_refused(kit):
    cache = InMemoryReplayCache()
    data = kit.sign()
    kit.verify(data, replay_cache=cache)
    refused(kit, data, replay_cache=cache, code="wsse:InvalidSecurity", match="already received")


def test_replay_default_cache_is_per_verifier(kit):
    verifier = kit.verifier("strict", replay_cache=None)
    data = kit.sign()
    verifier.verify(data)
    with pytest.raises(WSSecurityFault, match="already received"):
        verifier.verify(data)


def test_replay_cache_forgets_after_expiry():
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    cache = InMemoryReplayCache(clock=lambda: now[0])
    assert cache.check_and_store("k", now[0] + timedelta(minutes=5))
    assert not cache.check_and_store("k", now[0] + timedelta(minutes=5))
    now[0] += timedelta(minutes=6)
    assert cache.check_and_store("k", now[0] + timedelta(minutes=5))
    assert len(cache) == 1


def test_failed_message_does_not_poison_replay_cache(kit):
    cache = InMemoryReplayCache()
    data = kit.sign()
    tampered = data.replace(b"<m:Uren>125</m:Uren>", b"<m:Uren>250</m:Uren>")
    with pytest.raises(WSSecurityFault):
        kit.verify(tampered, replay_cache=cache)
    kit.verify(data, replay_cache=cache)


# -- trust ----------------------------------------------------------------------------------


def test_untrusted_ca(kit):
    refused(kit, kit.sign(party="untrusted"), code="wsse:FailedAuthentication", match="not trusted")


def test_untrusted_ca_in_pkipath_is_not_an_anchor(kit, pki):
    """A chain carried in the token never becomes trusted by being carried."""
    from gateway.wssecurity import KeyMaterial, Signer

    material = KeyMaterial.from_pem(
        pki["untrusted"].key, pki["untrusted"].cert, (pki.other_ca_cert,)
    )
    data = Signer(load_profile("magda"), material).sign(b"""<s:Envelope
        xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>""")
    refused(kit, data, "magda", code="wsse:FailedAuthentication")


def test_expired_certificate(kit):
    refused(kit, kit.sign(party="expired"), code="wsse:FailedAuthentication", match="expired on")


def test_wrong_pin(kit, pki):
    brussels = x509.load_pem_x509_certificate(pki["brussels"].cert.read_bytes())
    refused(kit, kit.sign(), pins=[brussels], code="wsse:FailedAuthentication", match="pinned")


def test_right_pin_accepted_in_every_form(kit, pki):
    flanders = x509.load_pem_x509_certificate(pki["flanders"].cert.read_bytes())
    for pin in (flanders, fingerprint(flanders), fingerprint(flanders).hex()):
        kit.verify(kit.sign(), pins=[pin])


def test_key_usage_without_digital_signature(kit, pki, tools):
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), None)
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "encrypt-only")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, True, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    from gateway.wssecurity import KeyMaterial, Signer

    data = Signer(load_profile("strict"), KeyMaterial(key, cert)).sign(tools.envelope())
    refused(kit, data, code="wsse:FailedAuthentication", match="key usage")


# -- algorithms -----------------------------------------------------------------------------


def test_sha1_refused_outside_magda(kit):
    for profile in ("strict", "ksz"):
        data = kit.sign(profile, signature_algorithm="rsa-sha1", digest_algorithm="sha1")
        refused(kit, data, profile, code="wsse:InvalidSecurity", match="not allowed")


def test_sha1_digest_alone_refused(kit):
    data = kit.sign("strict", digest_algorithm="sha1")
    refused(kit, data, code="wsse:InvalidSecurity", match="digest algorithm")


def test_sha1_accepted_within_magda(kit):
    data = kit.sign("magda", chain=True, signature_algorithm="rsa-sha1", digest_algorithm="sha1")
    msg = kit.verify(data, "magda")
    assert msg.signature_algorithm == "rsa-sha1"


def _set_alg(root, tools, path, uri):
    tools.find(root, path).set("Algorithm", uri)


def test_xslt_transform_refused(kit, tools):
    root = tools.parse(kit.sign())
    _set_alg(
        root,
        tools,
        ".//ds:Reference/ds:Transforms/ds:Transform",
        "http://www.w3.org/TR/1999/REC-xslt-19991116",
    )
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="XSLT")


def test_xpath_transform_refused(kit, tools):
    root = tools.parse(kit.sign())
    _set_alg(
        root,
        tools,
        ".//ds:Reference/ds:Transforms/ds:Transform",
        "http://www.w3.org/TR/1999/REC-xpath-19991116",
    )
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="XPath")


def test_extra_transform_refused(kit, tools):
    root = tools.parse(kit.sign())
    transforms = tools.find(root, ".//ds:Reference/ds:Transforms")
    etree.SubElement(
        transforms,
        f"{{{DS}}}Transform",
        Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    )
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="exactly one")


def test_hmac_signature_method_refused(kit, tools):
    root = tools.parse(kit.sign())
    _set_alg(root, tools, ".//ds:SignedInfo/ds:SignatureMethod", DS + "hmac-sha1")
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="HMAC")


def test_inclusive_c14n_refused(kit, tools):
    root = tools.parse(kit.sign())
    _set_alg(
        root,
        tools,
        ".//ds:SignedInfo/ds:CanonicalizationMethod",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    )
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="canonicalisation")


@pytest.mark.parametrize(
    "uri",
    ["http://evil.example/body.xml", "file:///etc/passwd", "", "#xpointer(/)", "body.xml#x"],
)
def test_non_same_document_reference_refused(kit, tools, uri):
    root = tools.parse(kit.sign())
    tools.find(root, ".//ds:Reference").set("URI", uri)
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="same-document")


def test_unresolvable_reference(kit, tools):
    root = tools.parse(kit.sign())
    tools.find(root, ".//ds:Reference").set("URI", "#nowhere")
    refused(kit, kit.resign(root), code="wsse:InvalidSecurity", match="does not resolve")


# -- structure ------------------------------------------------------------------------------


def test_two_signatures_refused(kit, tools):
    root = tools.parse(kit.sign())
    sec = tools.find(root, "s11:Header/wsse:Security")
    sig = tools.find(sec, "ds:Signature")
    sec.append(etree.fromstring(etree.tostring(sig)))
    refused(
        kit, etree.tostring(root), code="wsse:InvalidSecurity", match="exactly one ds:Signature"
    )


def test_no_security_header(kit, tools):
    refused(kit, tools.envelope(), code="wsse:InvalidSecurity", match="found 0")


def test_not_soap(kit):
    refused(kit, b"<x/>", code="wsse:InvalidSecurity", match="not a SOAP")


def test_token_type_not_in_profile(kit):
    refused(kit, kit.sign("ksz"), "magda", code="wsse:InvalidSecurityToken", match="not accepted")


def test_key_info_must_reference_bst(kit, tools):
    root = tools.parse(kit.sign())
    ki = tools.find(root, ".//ds:KeyInfo")
    for child in list(ki):
        ki.remove(child)
    etree.SubElement(ki, f"{{{DS}}}X509Data")
    refused(
        kit, etree.tostring(root), code="wsse:InvalidSecurityToken", match="SecurityTokenReference"
    )


def test_garbage_token(kit, tools):
    root = tools.parse(kit.sign())
    tools.find(root, "s11:Header/wsse:Security/wsse:BinarySecurityToken").text = "bm90IGEgY2VydA=="
    refused(kit, kit.resign(root), code="wsse:InvalidSecurityToken", match="X.509")


def test_token_reference_to_wrong_element(kit, tools):
    root = tools.parse(kit.sign())
    ts_id = tools.find(root, "s11:Header/wsse:Security/wsu:Timestamp").get(f"{{{WSU}}}Id")
    tools.find(root, ".//wsse:SecurityTokenReference/wsse:Reference").set("URI", "#" + ts_id)
    refused(kit, etree.tostring(root), code="wsse:InvalidSecurityToken")


def test_ds_object_in_signature_refused(kit, tools):
    root = tools.parse(kit.sign())
    sig = tools.find(root, ".//ds:Signature")
    etree.SubElement(sig, f"{{{DS}}}Object").text = "x"
    refused(kit, etree.tostring(root), code="wsse:InvalidSecurity", match="ds:Object")


def test_key_info_token_must_be_the_signed_token(kit, tools, pki):
    """A second, unsigned token used for KeyInfo does not satisfy 'token signed'."""
    import copy

    root = tools.parse(kit.sign())
    sec = tools.find(root, "s11:Header/wsse:Security")
    bst = tools.find(sec, "wsse:BinarySecurityToken")
    other = copy.deepcopy(bst)
    other.set(f"{{{WSU}}}Id", "X509-other")
    sec.insert(1, other)
    tools.find(sec, ".//wsse:SecurityTokenReference/wsse:Reference").set("URI", "#X509-other")
    refused(
        kit, etree.tostring(root), code="wsse:InvalidSecurity", match="not the one that was signed"
    )


def test_two_timestamps_refused(kit, tools):
    import copy

    root = tools.parse(kit.sign())
    sec = tools.find(root, "s11:Header/wsse:Security")
    ts = copy.deepcopy(tools.find(sec, "wsu:Timestamp"))
    del ts.attrib[f"{{{WSU}}}Id"]
    sec.insert(0, ts)
    refused(kit, etree.tostring(root), code="wsse:InvalidSecurity", match="more than one")


def test_soap12_role_targeting(kit, tools):
    from gateway.wssecurity.ns import SOAP12

    root = tools.parse(kit.sign(version="1.2"))
    sec = tools.find(root, "s12:Header/wsse:Security")
    sec.set(f"{{{SOAP12}}}role", "urn:brug:gateway")
    refused(kit, etree.tostring(root), code="wsse:InvalidSecurity", match="found 0")
    assert kit.verify(etree.tostring(root), actor="urn:brug:gateway").soap_version == "1.2"


def test_inclusive_namespaces_prefix_list(kit, tools):
    """exc-c14n InclusiveNamespaces (as WSS4J writes for the Body) is honoured."""
    from gateway.wssecurity.ns import EC

    root = tools.parse(kit.sign())
    for transform in root.iterfind(".//ds:Reference/ds:Transforms/ds:Transform", tools.NS):
        inc = etree.SubElement(transform, f"{{{EC}}}InclusiveNamespaces")
        inc.set("PrefixList", "soap")
    method = tools.find(root, ".//ds:SignedInfo/ds:CanonicalizationMethod")
    etree.SubElement(method, f"{{{EC}}}InclusiveNamespaces").set("PrefixList", "soap wsse")
    # resign with the prefix lists taken into account
    import base64

    from gateway.wssecurity.algorithms import DIGESTS, SIGNATURES, digest, exc_c14n, sign

    ids = {e.get(f"{{{WSU}}}Id"): e for e in root.iter() if isinstance(e.tag, str)}
    si = tools.find(root, ".//ds:SignedInfo")
    for ref in si.iterfind("ds:Reference", tools.NS):
        target = ids[ref.get("URI")[1:]]
        ref.find("ds:DigestValue", tools.NS).text = base64.b64encode(
            digest(DIGESTS["sha256"], exc_c14n(target, ["soap"]))
        ).decode()
    value = sign(
        SIGNATURES["rsa-sha256"], kit.material().private_key, exc_c14n(si, ["soap", "wsse"])
    )
    tools.find(root, ".//ds:SignatureValue").text = base64.b64encode(value).decode()
    assert kit.verify(etree.tostring(root)).signed_parts


def test_str_token_type_must_match_token(kit, tools):
    from gateway.wssecurity.ns import WSSE11, X509PKIPATHV1

    root = tools.parse(kit.sign())
    str_ = tools.find(root, ".//ds:KeyInfo/wsse:SecurityTokenReference")
    str_.set(f"{{{WSSE11}}}TokenType", X509PKIPATHV1)
    refused(kit, etree.tostring(root), code="wsse:InvalidSecurityToken", match="ValueType")
