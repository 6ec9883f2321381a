"""Happy paths: what brug signs, brug (and an independent xmlsec) accepts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import xmlsec
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from gateway.wssecurity import KeyMaterial, Signer, load_profile
from gateway.wssecurity.ns import DS, SOAP11, SOAP12, WSSE, WSU, X509PKIPATHV1
from gateway.wssecurity.tokens import decode_pkipath


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_soap_round_trip(kit, tools, version):
    signed = kit.sign("strict", version=version)
    msg = kit.verify(signed, "strict")
    assert msg.soap_version == version
    assert msg.signed_parts == ["Body", "Timestamp", "BinarySecurityToken"]
    assert msg.body.tag == f"{{{SOAP11 if version == '1.1' else SOAP12}}}Body"
    assert msg.body.findtext("m:AanvraagVOV/m:KBO", namespaces=tools.NS) == "0316381039"
    assert msg.expires - msg.created == timedelta(seconds=300)
    assert msg.signature_algorithm == "rsa-sha256"
    assert msg.envelope.find(f"{{{msg.body.tag.split('}')[0][1:]}}}Body") is msg.body


def test_soap12_must_understand_is_true(kit, tools):
    root = tools.parse(kit.sign("strict", version="1.2"))
    sec = tools.find(root, "s12:Header/wsse:Security")
    assert sec.get(f"{{{SOAP12}}}mustUnderstand") == "true"


def test_layout_timestamp_token_signature(kit, tools):
    root = tools.parse(kit.sign("ksz"))
    sec = tools.find(root, "s11:Header/wsse:Security")
    assert [etree.QName(c).localname for c in sec] == [
        "Timestamp",
        "BinarySecurityToken",
        "Signature",
    ]
    ref = tools.find(sec, "ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference")
    assert ref.get("URI") == "#" + sec[1].get(f"{{{WSU}}}Id")


def test_ecdsa_round_trip(kit):
    signer = kit.signer("strict", party="ecdsa")
    assert isinstance(signer.key_material.private_key, ec.EllipticCurvePrivateKey)
    msg = kit.verify(signer.sign(kit_envelope()), "strict")
    assert msg.signature_algorithm == "ecdsa-sha256"


def kit_envelope() -> bytes:
    return (
        b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
        b'<m:Ping xmlns:m="urn:brug:test">1</m:Ping></e:Body></e:Envelope>'
    )


def test_ksz_refuses_ec_signing_key(kit):
    with pytest.raises(ValueError, match="EC"):
        kit.signer("ksz", party="ecdsa")


def test_pkcs12_loading(kit, pki):
    material = KeyMaterial.from_pkcs12(pki["brussels"].p12, "changeit")
    assert material.certificate.subject.rfc4514_string().startswith("CN=brussels-bee")
    assert len(material.chain) == 1  # the CA travels in the bundle
    assert "PRIVATE" not in repr(material)
    msg = kit.verify(Signer(load_profile("ksz"), material).sign(kit_envelope()), "ksz")
    assert msg.certificate == material.certificate


def test_pkcs12_wrong_password(pki):
    with pytest.raises(ValueError):
        KeyMaterial.from_pkcs12(pki["brussels"].p12, "wrong")


def test_key_must_match_certificate(pki):
    with pytest.raises(ValueError, match="does not belong"):
        KeyMaterial.from_pem(pki["flanders"].key, pki["brussels"].cert)


def test_magda_pkipath_carries_the_chain(kit, tools):
    signed = kit.sign("magda", chain=True)
    root = tools.parse(signed)
    bst = tools.find(root, "s11:Header/wsse:Security/wsse:BinarySecurityToken")
    assert bst.get("ValueType") == X509PKIPATHV1
    import base64

    certs = decode_pkipath(base64.b64decode(bst.text))
    assert [c.subject.rfc4514_string().split(",")[0] for c in certs] == [
        "CN=brug Dev Root CA",
        "CN=0316381039",
    ]
    msg = kit.verify(signed, "magda")
    assert msg.certificate.subject == certs[-1].subject
    assert "Body" in msg.signed_parts


def test_profile_named_header_is_signed(kit, tools):
    base = load_profile("strict")
    header = "{urn:brug:test}Routing"
    profile = base.model_copy(
        update={
            "sign_parts": (*base.sign_parts, header),
            "required_signed_parts": (*base.required_signed_parts, header),
        }
    )
    data = kit.signer(profile).sign(
        tools.envelope(header='<r:Routing xmlns:r="urn:brug:test">x</r:Routing>')
    )
    assert header in kit.verify(data, profile).signed_parts
    # the same profile refuses a message where that header was not signed
    plain = kit.signer("strict").sign(
        tools.envelope(header='<r:Routing xmlns:r="urn:brug:test">x</r:Routing>')
    )
    with pytest.raises(Exception, match="Routing"):
        kit.verify(plain, profile)


def test_existing_header_blocks_survive(kit, tools):
    data = kit.sign("strict")
    env = tools.envelope(header='<a:To xmlns:a="http://www.w3.org/2005/08/addressing">x</a:To>')
    signed = kit.signer("strict").sign(env)
    root = tools.parse(signed)
    assert root.find("s11:Header/{http://www.w3.org/2005/08/addressing}To", tools.NS) is not None
    kit.verify(signed)
    assert data


def test_security_header_for_another_actor_is_ignored(kit, tools):
    root = tools.parse(kit.sign("strict"))
    header = tools.find(root, "s11:Header")
    other = etree.SubElement(header, f"{{{WSSE}}}Security")
    other.set(f"{{{SOAP11}}}actor", "urn:some-intermediary")
    kit.verify(etree.tostring(root))


def test_independent_xmlsec_accepts_brug_signature(kit, pki, tools):
    """python-xmlsec (libxmlsec1) verifies the signature brug made: no private dialect."""
    root = tools.parse(kit.sign("ksz"))
    sig = root.find(".//ds:Signature", tools.NS)
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_file(str(pki["flanders"].cert), xmlsec.constants.KeyDataFormatCertPem)
    for el in root.iter():
        if isinstance(el.tag, str) and el.get(f"{{{WSU}}}Id"):
            ctx.register_id(el, "Id", WSU)
    ctx.verify(sig)


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 CLI not installed")
def test_xmlsec1_cli_accepts_brug_signature(kit, pki, tmp_path):
    path = tmp_path / "signed.xml"
    path.write_bytes(kit.sign("ksz"))
    out = subprocess.run(
        [
            "xmlsec1",
            "--verify",
            "--id-attr:Id",
            f"{SOAP11}:Body",
            "--id-attr:Id",
            f"{WSU}:Timestamp",
            "--id-attr:Id",
            f"{WSSE}:BinarySecurityToken",
            "--pubkey-cert-pem",
            str(pki["flanders"].cert),
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr


def test_verify_accepts_xmlsec_signed_message(kit, pki, tools):
    """A message signed by libxmlsec1 (not brug's code) in WSS layout is accepted."""
    root = tools.parse(kit.sign("strict"))
    sig = root.find(".//ds:Signature", tools.NS)
    for v in sig.iter("{http://www.w3.org/2000/09/xmldsig#}DigestValue"):
        v.text = ""
    sig.find("ds:SignatureValue", tools.NS).text = ""
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_file(str(pki["flanders"].key), xmlsec.constants.KeyDataFormatPem)
    for el in root.iter():
        if isinstance(el.tag, str) and el.get(f"{{{WSU}}}Id"):
            ctx.register_id(el, "Id", WSU)
    ctx.sign(sig)
    msg = kit.verify(etree.tostring(root))
    assert msg.signed_parts == ["Body", "Timestamp", "BinarySecurityToken"]


def test_pkipath_str_states_token_type(kit, tools):
    """BSP: an STR to a PKIPath token carries wsse11:TokenType (WSS4J refuses it otherwise)."""
    from gateway.wssecurity.ns import WSSE11

    root = tools.parse(kit.sign("magda", chain=True))
    str_ = tools.find(root, ".//ds:KeyInfo/wsse:SecurityTokenReference")
    assert str_.get(f"{{{WSSE11}}}TokenType") == X509PKIPATHV1


def test_one_signer_writes_fresh_ids_and_times_each_message(kit, tools):
    # The signer copies a parsed skeleton per message: nothing of one message may leak into the
    # next (ids, Timestamp, references), and the skeleton itself must stay unfilled.
    # A clock near the real time: the dev certificates are valid from when the kit made them.
    start = datetime.now(UTC).replace(microsecond=0)
    now = [start]
    signer = kit.signer("ksz", clock=lambda: now[0])
    first = tools.parse(signer.sign(tools.envelope()))
    now[0] += timedelta(minutes=1)
    second = tools.parse(signer.sign(tools.envelope()))

    def facts(root):
        sec = tools.find(root, "s11:Header/wsse:Security")
        refs = [r.get("URI") for r in sec.iter(f"{{{DS}}}Reference")]
        return {
            "ids": sorted(v for e in sec.iter() for k, v in e.attrib.items() if k.endswith("Id")),
            "refs": refs,
            "created": sec[0][0].text,
        }

    a, b = facts(first), facts(second)
    assert not set(a["ids"]) & set(b["ids"])
    assert not set(a["refs"]) & set(b["refs"])
    expected = [(start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%S.000Z") for m in (0, 1)]
    assert [a["created"], b["created"]] == expected
    for template in signer._templates.values():
        assert b"0000000000000000" in etree.tostring(template)  # still the placeholder
    kit.verify(etree.tostring(second), "ksz", clock=lambda: now[0])


# -- the Security header is moved into the Header in one piece ------------------------------


def _security(root):
    return root.find(f".//{{{WSSE}}}Security")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_default_namespace_envelope_keeps_must_understand_namespaced(kit, version):
    """An Envelope in the default namespace: lxml must not map the template's ``soap:`` prefix
    onto the default namespace (an attribute without a prefix has no namespace)."""
    ns = SOAP11 if version == "1.1" else SOAP12
    data = (
        f'<Envelope xmlns="{ns}"><Header/><Body><m:A xmlns:m="urn:brug:test">1</m:A></Body>'
        "</Envelope>"
    ).encode()
    signed = kit.signer("ksz").sign(data)
    security = _security(etree.fromstring(signed))
    assert security.get(f"{{{ns}}}mustUnderstand") == ("1" if version == "1.1" else "true")
    assert security.get("mustUnderstand") is None
    assert kit.verify(signed, "ksz").signed_parts == ["Body", "Timestamp", "BinarySecurityToken"]


def test_signed_header_declares_only_what_the_envelope_does_not(kit):
    signed = kit.sign("ksz")
    security = _security(etree.fromstring(signed))
    # soap and wsu come from the Envelope; wsse and ds are declared once, on Security
    assert set(security.nsmap.items()) >= {("wsse", WSSE), ("ds", DS)}
    text = signed.decode()
    assert text.count("xmlns:ds=") == 1 and text.count("xmlns:wsse=") == 1
    assert text.count("xmlns:soap=") == 1 and "wsse11" not in text


def test_existing_security_header_for_us_receives_the_signature(kit, tools):
    header = f'<wsse:Security xmlns:wsse="{WSSE}"><m:Note xmlns:m="urn:brug:test"/></wsse:Security>'
    signed = kit.signer("ksz").sign(tools.envelope(header=header))
    root = etree.fromstring(signed)
    assert len(root.findall(f".//{{{WSSE}}}Security")) == 1
    tags = [etree.QName(c).localname for c in _security(root)]
    assert tags == ["Timestamp", "BinarySecurityToken", "Signature", "Note"]
    assert kit.verify(signed, "ksz").signed_parts == ["Body", "Timestamp", "BinarySecurityToken"]


def test_actor_with_markup_characters_is_escaped(kit, tools):
    actor = 'urn:brug:"a"&<b>'
    signed = kit.signer("ksz", actor=actor).sign(tools.envelope())
    assert _security(etree.fromstring(signed)).get(f"{{{SOAP11}}}actor") == actor
