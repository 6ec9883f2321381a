"""WS-Security for brug: signing and verifying SOAP 1.1/1.2 messages per partner profile.

Public API (kept stable for the interop harnesses): :class:`Profile` / :func:`load_profile`,
:class:`KeyMaterial`, :class:`Signer`, :class:`TrustStore`, :class:`InMemoryReplayCache`,
:class:`Verifier`, :class:`VerifiedMessage`, :class:`WSSecurityFault`. See docs/wssecurity.md.
"""

from __future__ import annotations

from gateway.wssecurity.faults import WSSecurityFault
from gateway.wssecurity.keys import KeyMaterial
from gateway.wssecurity.profiles import Profile, available_profiles, load_profile
from gateway.wssecurity.replay import InMemoryReplayCache, ReplayCache
from gateway.wssecurity.signer import Signer
from gateway.wssecurity.trust import TrustStore, fingerprint
from gateway.wssecurity.verifier import VerifiedMessage, Verifier

__all__ = [
    "InMemoryReplayCache",
    "KeyMaterial",
    "Profile",
    "ReplayCache",
    "Signer",
    "TrustStore",
    "VerifiedMessage",
    "Verifier",
    "WSSecurityFault",
    "available_profiles",
    "fingerprint",
    "load_profile",
]
