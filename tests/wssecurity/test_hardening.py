"""Hostile XML is refused by the hardened parser before any signature work."""

from __future__ import annotations

import pytest

from gateway.wssecurity import Signer, WSSecurityFault, load_profile
from gateway.xml.safe_parser import ParseLimits, UnsafeXmlError

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
<soap:Body><m:X xmlns:m="urn:x">&x;</m:X></soap:Body></soap:Envelope>"""

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soap:Body>&lol9;</soap:Body></soap:Envelope>"
)


def _refused(kit, data, match, **kw):
    with pytest.raises(WSSecurityFault) as info:
        kit.verify(data, **kw)
    assert info.value.code == "wsse:InvalidSecurity"
    assert match in info.value.reason, info.value.reason
    return info.value


def test_xxe_refused(kit):
    fault = _refused(kit, XXE, "xml.dtd")
    assert "passwd" not in fault.reason


def test_billion_laughs_refused(kit):
    _refused(kit, LAUGHS, "xml.dtd")


def test_doctype_after_long_prolog_refused(kit):
    """A DOCTYPE pushed past the parser's quick prefix scan is still refused."""
    data = b'<?xml version="1.0"?><!--' + b"x" * 5000 + b"-->" + XXE.split(b"?>", 1)[1]
    _refused(kit, data, "xml.dtd")


def test_oversized_refused_before_parsing(kit):
    data = b"<a>" + b"x" * (10 * 1024 * 1024) + b"</a>"
    _refused(kit, data, "xml.size")


def test_profile_or_verifier_limits(kit, tools):
    data = kit.sign()
    _refused(kit, data, "xml.size", limits=ParseLimits(max_bytes=1024))


def test_too_deep_refused(kit):
    body = b"<d>" * 100 + b"</d>" * 100
    data = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        + body
        + b"</soap:Body></soap:Envelope>"
    )
    _refused(kit, data, "xml.depth")


def test_not_well_formed(kit):
    _refused(kit, b"<soap:Envelope", "xml.well-formed")


def test_signer_uses_hardened_parser(kit):
    signer = Signer(load_profile("strict"), kit.material())
    with pytest.raises(UnsafeXmlError):
        signer.sign(XXE)
