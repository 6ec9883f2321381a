"""BrusselsClient against the real Brussels simulator: delivery, exactly-once, read-back."""

from __future__ import annotations

import pytest

from adapters.brussels import xml as bev_xml
from adapters.brussels.client import BrusselsClient
from adapters.simulation.process import RunningProcess, free_port
from adapters.soap.errors import PermanentPartnerError, TransientPartnerError, UntrustedAnswerError
from gateway.soap.envelope import parse_envelope
from gateway.wssecurity.pki import PkiLayout
from tests.simulators.support import bev_record, header, signer, verifier


@pytest.fixture
def client(brussels_sim: RunningProcess, pki: PkiLayout) -> BrusselsClient:
    return BrusselsClient(brussels_sim.service_url, signer(pki), verifier(pki), timeout=10)


def test_build_receive_request_is_unsigned_and_uses_the_best_version(
    client: BrusselsClient,
) -> None:
    record = bev_record()
    envelope = parse_envelope(client.build_receive_request(record, header()))
    assert envelope.header is not None and len(envelope.header) == 0  # signed at send time
    message = envelope.payload[0]  # type: ignore[index]
    assert bev_xml.version_of(message) == bev_xml.best_version(record) == 2
    fixed = BrusselsClient(
        client.url, client._exchange.signer, client._exchange.verifier, bev_version=1
    )
    v1 = parse_envelope(fixed.build_receive_request(record, header()))
    assert bev_xml.version_of(v1.payload[0]) == 1  # type: ignore[index]


def test_send_delivers_once_per_message_id(
    client: BrusselsClient, brussels_sim: RunningProcess
) -> None:
    h = header()
    envelope = client.build_receive_request(bev_record(record_id="BEV-ONCE-1"), h)
    first = client.send(envelope)
    again = client.send(envelope)  # the outbox retried after a lost answer
    assert first.acknowledgement is not None and again.acknowledgement is not None
    assert first.acknowledgement.status == "accepted"
    assert again.acknowledgement == first.acknowledgement  # the first acknowledgement, again
    assert first.verified.signature_value != again.verified.signature_value
    assert "brussels-bee" in first.signed_by
    assert brussels_sim.received(str(h.message_id)) == {
        "message_id": str(h.message_id),
        "requests": 2,
        "stored": 1,
    }


def test_each_send_is_signed_afresh(client: BrusselsClient) -> None:
    envelope = client.build_receive_request(bev_record(record_id="BEV-FRESH-1"), header())
    signer_ = client._exchange.signer
    assert signer_.sign(envelope) != signer_.sign(envelope)  # new Timestamp, new ids


def test_same_message_id_with_other_content_is_permanent(client: BrusselsClient) -> None:
    h = header()
    client.send(client.build_receive_request(bev_record(record_id="BEV-REUSE-1"), h))
    with pytest.raises(PermanentPartnerError) as refused:
        client.send(client.build_receive_request(bev_record(record_id="BEV-REUSE-2"), h))
    assert refused.value.fault is not None
    assert [v.rule for v in refused.value.fault.violations] == ["bev.message-id.reused"]


def test_get_bev_record_reads_back_what_was_delivered(client: BrusselsClient) -> None:
    record = bev_record(record_id="BEV-READ-1")
    client.send(client.build_receive_request(record, header()))
    assert client.get_bev_record("BEV-READ-1") == record
    assert client.get_bev_record("BEV-NEVER-SENT") is None


def test_answer_from_the_wrong_partner_is_untrusted(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    """The answer is signed by brussels; a client pinned to federal must refuse it."""
    wrong_pin = BrusselsClient(brussels_sim.service_url, signer(pki), verifier(pki, pin="federal"))
    with pytest.raises(UntrustedAnswerError, match="FailedAuthentication"):
        wrong_pin.send(wrong_pin.build_receive_request(bev_record(), header()))


def test_rejected_by_the_simulator_is_permanent(
    brussels_sim: RunningProcess, pki: PkiLayout
) -> None:
    """Signed by a certificate Brussels does not pin: no retry will fix that."""
    outsider = BrusselsClient(brussels_sim.service_url, signer(pki, "federal"), verifier(pki))
    with pytest.raises(PermanentPartnerError) as refused:
        outsider.send(outsider.build_receive_request(bev_record(), header()))
    assert refused.value.fault is not None
    assert refused.value.fault.code == "wsse:FailedAuthentication"


def test_connection_refused_is_transient(pki: PkiLayout) -> None:
    nobody = BrusselsClient(f"http://127.0.0.1:{free_port()}/x", signer(pki), verifier(pki))
    with pytest.raises(TransientPartnerError, match="ConnectError"):
        nobody.send(nobody.build_receive_request(bev_record(), header()))
