"""Everything a running gateway needs, built once from the configuration.

One object passed to the SOAP endpoints, the REST API and the delivery worker, so that they
share one store (outbox, inbox, replay cache, audit log, exchange records) and one view of the
partners: the same pinned certificate identifies Brussels whether it calls brug or brug calls
it. Building it is where configuration mistakes surface, at start-up, not on the first message.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from adapters.brussels.client import BrusselsClient
from adapters.brussels.crosswalk import Crosswalk
from adapters.federal.client import FederalClient
from adapters.federal.codes import CodeTable
from gateway.audit.log import AuditLog
from gateway.audit.signing import CheckpointSigner
from gateway.audit.subjects import SubjectHasher
from gateway.auth.service import AuthService
from gateway.config.material import gateway_key_material, partner_trust_store
from gateway.config.sections import PartnerConfig
from gateway.config.settings import Settings
from gateway.delivery.inbox import Inbox
from gateway.delivery.outbox import Outbox
from gateway.delivery.policy import DeliveryPolicy
from gateway.observability.metrics import BrugMetrics
from gateway.rules.ruledata import RuleBook
from gateway.service.records import ExchangeRecords
from gateway.store.database import Store
from gateway.store.replay import SqlReplayCache
from gateway.wssecurity import KeyMaterial, Signer, TrustStore, Verifier, load_profile
from gateway.wssecurity.trust import fingerprint

BRUSSELS = "brussels"
FEDERAL = "federal"


@dataclass(frozen=True, slots=True)
class Partner:
    """One configured partner, for both directions."""

    name: str
    config: PartnerConfig
    signer: Signer  # brug's key, under this partner's profile
    verifier: Verifier  # this partner's profile, trust store, pins, the shared replay cache
    pins: frozenset[str]  # SHA-256 fingerprints (lowercase hex) of its signing certificates
    party: str | None = None  # the sender code its message headers must name

    def may_call(self, operation: str) -> bool:
        return operation in self.config.inbound_operations

    def accepts_purpose(self, purpose: str) -> bool:
        return purpose in self.config.purposes


@dataclass(slots=True)
class GatewayContext:
    settings: Settings
    store: Store
    key_material: KeyMaterial
    trust: TrustStore
    outbox: Outbox
    inbox: Inbox
    audit: AuditLog
    records: ExchangeRecords
    replay: SqlReplayCache
    rules: RuleBook
    crosswalk: Crosswalk
    codes: CodeTable
    partners: dict[str, Partner]
    delivery_policy: DeliveryPolicy
    metrics: BrugMetrics
    auth: AuthService
    brussels: BrusselsClient | None = None
    federal: FederalClient | None = None

    def partner_for_certificate(self, certificate: x509.Certificate) -> Partner | None:
        """The partner whose pinned certificate signed a message (after verification)."""
        digest = fingerprint(certificate).hex()
        return next((p for p in self.partners.values() if digest in p.pins), None)

    def close(self) -> None:
        for client in (self.brussels, self.federal):
            if client is not None:
                client.close()
        self.store.dispose()


def _pins(config: PartnerConfig) -> frozenset[str]:
    found = {p.replace(":", "").lower() for p in config.pinned_sha256}
    if config.pinned_cert is not None:
        cert = x509.load_pem_x509_certificate(config.pinned_cert.read_bytes())
        found.add(fingerprint(cert).hex())
    return frozenset(found)


def _partner(
    name: str,
    config: PartnerConfig,
    key: KeyMaterial,
    trust: TrustStore,
    replay: SqlReplayCache,
) -> Partner:
    profile = load_profile(config.wsse_profile)
    pins = _pins(config)
    return Partner(
        name=name,
        config=config,
        signer=Signer(profile, key),
        verifier=Verifier(profile, trust, pins=tuple(pins), replay_cache=replay),
        pins=pins,
        party=config.party_code(name),
    )


def build_context(settings: Settings, *, upgrade: bool = True) -> GatewayContext:
    """Open the store (migrating it), load keys, rule data and partners; fail fast."""
    store = Store(settings.store.url)
    if upgrade:
        store.upgrade()
    key = gateway_key_material(settings.pki)
    trust = partner_trust_store(settings.pki)
    replay = SqlReplayCache(store)
    subjects = SubjectHasher(settings.audit.insz_hash_key.get_secret_value().encode())
    partners = {
        name: _partner(name, config, key, trust, replay)
        for name, config in settings.partners.items()
    }
    outbox = Outbox(store)
    metrics = BrugMetrics(outbox_pending=outbox.pending_by_partner)
    context = GatewayContext(
        settings=settings,
        store=store,
        key_material=key,
        trust=trust,
        outbox=outbox,
        inbox=Inbox(store),
        audit=AuditLog(
            store, subjects=subjects, signer=CheckpointSigner(key.private_key), checkpoint_every=500
        ),
        records=ExchangeRecords(store, subjects),
        replay=replay,
        rules=RuleBook.load(settings.rules.dirs or None),
        crosswalk=(
            Crosswalk.load(settings.rules.crosswalk, include_shipped=False)
            if settings.rules.crosswalk
            else Crosswalk.load()
        ),
        codes=CodeTable.load(settings.rules.codes),
        partners=partners,
        delivery_policy=DeliveryPolicy(
            partners={name: p.config.delivery_policy() for name, p in partners.items()}
        ),
        metrics=metrics,
        auth=AuthService.from_settings(settings, replay=replay),
    )
    if BRUSSELS in partners:
        p = partners[BRUSSELS]
        context.brussels = BrusselsClient(
            str(p.config.url),
            p.signer,
            p.verifier,
            timeout=p.config.timeout.total_seconds(),
            soap_version=p.config.soap_version,
            verify=p.config.tls_context(),
        )
    if FEDERAL in partners:
        p = partners[FEDERAL]
        context.federal = FederalClient(
            str(p.config.url),
            p.signer,
            p.verifier,
            timeout=p.config.timeout.total_seconds(),
            soap_version=p.config.soap_version,
            verify=p.config.tls_context(),
        )
    return context
