"""A throw-away development PKI, so tests, demos and interop harnesses share one layout.

``init_pki(dir)`` writes a CA, three partner certificates (flanders, brussels, federal), one
certificate from a different CA (``untrusted``), one certificate that has expired
(``expired``, signed by the CA), one ECDSA P-256 certificate (``ecdsa``) and two operator
certificates for the operator console (``operator-admin``, ``operator-viewer``; subjects
:data:`OPERATOR_SUBJECTS`). Each partner gets
``NAME.key`` (unencrypted PKCS#8 PEM), ``NAME.pem`` and ``NAME.p12`` (password ``changeit``, the
Java keystore habit, with the CA certificate included). As MAGDA does, the CN of ``flanders`` is
a KBO enterprise number.

Every leaf certificate names, as subject alternative names, its own ``NAME.brug.test``, the
loopback names ``localhost``, ``127.0.0.1`` and ``::1``, and any extra ``hosts`` given (the host a
dev server is configured to listen on), so that a TLS client checking the host name (curl,
httpx, ``brug conformance run --ca``) accepts a dev server on loopback.

These keys are for development only: they are written unencrypted on purpose.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

P12_PASSWORD = "changeit"  # noqa: S105 (development PKI, documented)
FLANDERS_KBO = "0316381039"
PARTNERS = ("flanders", "brussels", "federal")
#: Names every dev certificate carries besides its own, so loopback servers verify.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    key: Path
    cert: Path
    p12: Path


@dataclass(frozen=True, slots=True)
class PkiLayout:
    root: Path
    ca_cert: Path
    ca_key: Path
    other_ca_cert: Path
    parties: dict[str, Party]

    def __getitem__(self, name: str) -> Party:
        return self.parties[name]


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return x509.DNSName(host)


def subject_alt_names(dns: str, hosts: Iterable[str] = ()) -> x509.SubjectAlternativeName:
    """``dns``, the loopback names and ``hosts``, each once, IP addresses as iPAddress entries."""
    names: list[x509.GeneralName] = []
    for host in (dns, *LOOPBACK_NAMES, *hosts):
        if not host:
            continue
        name = _general_name(host)
        if name not in names:
            names.append(name)
    return x509.SubjectAlternativeName(names)


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca(cn: str, now: datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _rsa()
    name = _name(cn, "brug development PKI")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    cn: str,
    org: str,
    dns: str,
    key: PrivateKey,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    not_before: datetime,
    not_after: datetime,
    hosts: Iterable[str] = (),
) -> x509.Certificate:
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]
            ),
            critical=False,
        )
        .add_extension(subject_alt_names(dns, hosts), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, secret: bool = False) -> None:
    path.write_bytes(data)
    if secret:
        os.chmod(path, 0o600)


def _write_party(
    root: Path, name: str, key: PrivateKey, cert: x509.Certificate, ca: x509.Certificate
) -> Party:
    party = Party(name, root / f"{name}.key", root / f"{name}.pem", root / f"{name}.p12")
    _write(party.key, _pem_key(key), secret=True)
    _write(party.cert, _pem_cert(cert))
    p12 = pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        [ca],
        serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
    )
    _write(party.p12, p12, secret=True)
    return party


#: The people who use the operator console in development: name -> (CN, O).
OPERATORS = {
    "operator-admin": ("Dev Operator Admin", "brug development operators"),
    "operator-viewer": ("Dev Operator Viewer", "brug development operators"),
}
#: Their subjects as RFC 4514 strings, as ``[console.operators.*] cert_subject`` names them.
OPERATOR_SUBJECTS = {name: f"CN={cn},O={org},C=BE" for name, (cn, org) in OPERATORS.items()}


def init_pki(directory: str | Path, hosts: Iterable[str] = ()) -> PkiLayout:
    """Create the development PKI under ``directory`` (created if missing) and return its layout.

    ``hosts``: extra host names or addresses the partner certificates are valid for (besides
    ``NAME.brug.test`` and the loopback names), e.g. the host a dev server listens on.
    """
    extra = tuple(hosts)
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key, ca_cert = _ca("brug Dev Root CA", now)
    other_key, other_cert = _ca("brug Untrusted Other CA", now)
    _write(root / "ca.pem", _pem_cert(ca_cert))
    _write(root / "ca.key", _pem_key(ca_key), secret=True)
    _write(root / "other-ca.pem", _pem_cert(other_cert))

    valid = (now - timedelta(days=1), now + timedelta(days=825))
    subjects = {
        "flanders": (FLANDERS_KBO, "Departement Werk en Sociale Economie", "flanders.brug.test"),
        "brussels": ("brussels-bee", "Bruxelles Economie et Emploi", "brussels.brug.test"),
        "federal": ("federal-rva", "RVA-ONEM", "federal.brug.test"),
    }
    parties: dict[str, Party] = {}
    for name, (cn, org, dns) in subjects.items():
        key = _rsa()
        cert = _leaf(cn, org, dns, key, ca_key, ca_cert, *valid, hosts=extra)
        parties[name] = _write_party(root, name, key, cert, ca_cert)

    key = _rsa()
    cert = _leaf(
        "untrusted", "Elsewhere", "untrusted.brug.test", key, other_key, other_cert, *valid
    )
    parties["untrusted"] = _write_party(root, "untrusted", key, cert, other_cert)

    key = _rsa()
    cert = _leaf(
        "expired",
        "brug development PKI",
        "expired.brug.test",
        key,
        ca_key,
        ca_cert,
        now - timedelta(days=400),
        now - timedelta(days=30),
    )
    parties["expired"] = _write_party(root, "expired", key, cert, ca_cert)

    for name, (cn, org) in OPERATORS.items():
        key = _rsa()
        cert = _leaf(cn, org, f"{name}.brug.test", key, ca_key, ca_cert, *valid)
        parties[name] = _write_party(root, name, key, cert, ca_cert)

    ec_key = ec.generate_private_key(ec.SECP256R1())
    cert = _leaf(
        "ecdsa", "brug development PKI", "ecdsa.brug.test", ec_key, ca_key, ca_cert, *valid
    )
    parties["ecdsa"] = _write_party(root, "ecdsa", ec_key, cert, ca_cert)

    return PkiLayout(root, root / "ca.pem", root / "ca.key", root / "other-ca.pem", parties)
