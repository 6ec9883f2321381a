"""Turn the ``[pki]`` section into the key and trust objects the WS-Security layer uses.

Kept apart from the section models so that loading a configuration (for ``brug config check``,
say) never needs to decrypt a private key; the service calls these once at start-up.
"""

from __future__ import annotations

from gateway.config.sections import PkiConfig
from gateway.wssecurity.keys import KeyMaterial
from gateway.wssecurity.trust import TrustStore


def gateway_key_material(pki: PkiConfig) -> KeyMaterial:
    """The gateway's signing key and certificate, from PEM files or a PKCS#12 bundle."""
    if pki.pkcs12 is not None:
        password = pki.pkcs12_password.get_secret_value() if pki.pkcs12_password else None
        return KeyMaterial.from_pkcs12(pki.pkcs12, password)
    if pki.key is None or pki.cert is None:
        raise ValueError("[pki] needs key + cert or pkcs12")
    password = pki.key_password.get_secret_value() if pki.key_password else None
    return KeyMaterial.from_pem(pki.key, pki.cert, pki.chain, password)


def partner_trust_store(pki: PkiConfig) -> TrustStore:
    """The CAs listed in ``pki.trust``, used to validate partner signing certificates."""
    return TrustStore.from_pem_files(pki.trust)
