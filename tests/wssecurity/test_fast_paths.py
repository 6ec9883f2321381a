"""brug's fast paths decide exactly as the full rules do.

After its first message a Verifier checks SignedInfo by matching its canonical bytes against
the layout of one that passed every rule (``_Shape``), and recognises the usual Envelope,
Signature and KeyInfo layouts in one step each; anything else goes through the full rules.
Every case here is verified twice, by a fresh Verifier (full rules only) and by one that has
already learnt the sender's layout, and both must give the same outcome: the same fault code
and reason, or the same accepted message. Cases that need valid cryptography are re-signed
"as a key holder would", so that only the policy can refuse them.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from gateway.wssecurity import Verifier, WSSecurityFault, timestamp
from gateway.wssecurity import verifier as verifier_module
from gateway.wssecurity.algorithms import SIGNATURES, exc_c14n, sign
from gateway.wssecurity.ns import DS, EC, SOAP11, WSSE, WSU

Q = {"ds": DS, "s11": SOAP11, "wsse": WSSE, "wsu": WSU}


def outcome(verifier: Verifier, data: bytes) -> tuple[Any, ...]:
    try:
        msg = verifier.verify(data)
    except WSSecurityFault as fault:
        return ("refused", fault.code, fault.reason)
    return ("accepted", tuple(msg.signed_parts), msg.signature_algorithm, etree.tostring(msg.body))


def learnt(kit, profile: str = "strict") -> Verifier:
    """A verifier that has already accepted one message of this sender (layout learnt)."""
    verifier = kit.verifier(profile)
    verifier.verify(kit.sign(profile))
    assert verifier._shapes, "a layout should have been learnt"
    return verifier


def resign_value(kit, root: etree._Element) -> bytes:
    """Recompute only the SignatureValue (digests kept as they are) over the edited SignedInfo."""
    signed_info = root.find(".//ds:SignedInfo", Q)
    method = signed_info.find("ds:SignatureMethod", Q).get("Algorithm")
    algorithm = next(a for a in SIGNATURES.values() if a.uri == method)
    prefixes: list[str] = []
    inclusive = signed_info.find(f"ds:CanonicalizationMethod/{{{EC}}}InclusiveNamespaces", Q)
    if inclusive is not None:
        prefixes = (inclusive.get("PrefixList") or "").split()
    value = sign(algorithm, kit.material().private_key, exc_c14n(signed_info, prefixes))
    root.find(".//ds:SignatureValue", Q).text = base64.b64encode(value).decode()
    return etree.tostring(root)


def _refs(root):
    return root.findall(".//ds:SignedInfo/ds:Reference", Q)


# -- cases: each returns the bytes to verify -----------------------------------------------


def good(kit, tools):
    return kit.sign()


def comment_between_signed_info_children(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[0].addprevious(etree.Comment("note"))
    return etree.tostring(root)  # comments are outside exc-C14N: the signature still holds


def comment_splitting_a_digest_value(kit, tools):
    data = kit.sign()
    root = tools.parse(data)
    value = _refs(root)[1].find("ds:DigestValue", Q)
    text = value.text
    value.text = text[:10]
    comment = etree.Comment("x")
    comment.tail = text[10:]
    value.append(comment)
    return etree.tostring(root)


def comment_before_a_digest_value(kit, tools):
    root = tools.parse(kit.sign())
    value = _refs(root)[0].find("ds:DigestValue", Q)
    text, value.text = value.text, None
    comment = etree.Comment("x")
    comment.tail = text
    value.append(comment)
    return etree.tostring(root)


def wrapped_digest_value(kit, tools):
    root = tools.parse(kit.sign())
    value = _refs(root)[0].find("ds:DigestValue", Q)
    value.text = value.text[:20] + "\n" + value.text[20:]
    return resign_value(kit, root)


def child_element_in_digest_value(kit, tools):
    root = tools.parse(kit.sign())
    value = _refs(root)[0].find("ds:DigestValue", Q)
    etree.SubElement(value, f"{{{DS}}}Extra")
    return resign_value(kit, root)


def processing_instruction_in_signed_info(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[1].addnext(etree.ProcessingInstruction("brug", "x"))
    return resign_value(kit, root)


def whitespace_between_references(kit, tools):
    root = tools.parse(kit.sign())
    for ref in _refs(root):
        ref.tail = "\n  "
    return resign_value(kit, root)


def extra_attribute_on_a_reference(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[0].set("Id", "ref-1")
    return resign_value(kit, root)


def references_in_another_order(kit, tools):
    root = tools.parse(kit.sign())
    refs = _refs(root)
    refs[0].addnext(copy.deepcopy(refs[2]))
    refs[2].getparent().remove(refs[2])
    return resign_value(kit, root)


def same_element_referenced_twice(kit, tools):
    root = tools.parse(kit.sign())
    refs = _refs(root)
    refs[-1].addnext(copy.deepcopy(refs[0]))
    return resign_value(kit, root)


def two_references_to_one_element(kit, tools):
    """Same layout as the learnt one (the Ids are holes), but two URIs name the same element."""
    root = tools.parse(kit.sign())
    refs = _refs(root)
    refs[1].set("URI", refs[0].get("URI"))
    return resign_value(kit, root)


def reference_to_an_unknown_id(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[1].set("URI", "#nowhere")
    return resign_value(kit, root)


def extra_reference_to_a_header_block(kit, tools):
    """A fourth reference (to a signed header block): accepted, and all four are checked."""
    root = tools.parse(kit.sign())
    block = etree.SubElement(root.find("s11:Header", Q), "{urn:m}Block")
    block.set(f"{{{WSU}}}Id", "blk-1")
    block.text = "x"
    extra = copy.deepcopy(_refs(root)[0])
    extra.set("URI", "#blk-1")
    _refs(root)[-1].addnext(extra)
    return kit.resign(root)


def reference_dropped(kit, tools):
    root = tools.parse(kit.sign())
    ref = _refs(root)[1]
    ref.getparent().remove(ref)
    return resign_value(kit, root)


def reference_in_another_namespace(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[0].tag = "{urn:evil}Reference"
    return resign_value(kit, root)


def prefix_rebound_on_a_reference(kit, tools):
    """``ds`` rebound to another namespace on one Reference: not a ds:Reference any more."""
    root = tools.parse(kit.sign())
    ref = _refs(root)[0]
    moved = etree.Element("{urn:evil}Reference", nsmap={"ds": "urn:evil"})
    for name, value in ref.attrib.items():
        moved.set(name, value)
    moved.extend(list(ref))
    ref.getparent().replace(ref, moved)
    return resign_value(kit, root)


def sha1_digest(kit, tools):
    return kit.sign(digest_algorithm="sha1")


def xslt_transform(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[0].find("ds:Transforms/ds:Transform", Q).set(
        "Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116"
    )
    return kit.resign(root)


def extra_transform(kit, tools):
    root = tools.parse(kit.sign())
    transforms = _refs(root)[0].find("ds:Transforms", Q)
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=transforms[0].get("Algorithm"))
    return kit.resign(root)


def inclusive_prefixes_on_a_transform(kit, tools):
    root = tools.parse(kit.sign())
    transform = _refs(root)[0].find("ds:Transforms/ds:Transform", Q)
    etree.SubElement(transform, f"{{{EC}}}InclusiveNamespaces", PrefixList="soap")
    return kit.resign(root)


def hmac_length_in_signature_method(kit, tools):
    root = tools.parse(kit.sign())
    method = root.find(".//ds:SignedInfo/ds:SignatureMethod", Q)
    etree.SubElement(method, f"{{{DS}}}HMACOutputLength").text = "80"
    return resign_value(kit, root)


def uri_with_a_space(kit, tools):
    root = tools.parse(kit.sign())
    ref = _refs(root)[0]
    ref.set("URI", ref.get("URI") + " x")
    return resign_value(kit, root)


def uri_with_a_trailing_newline(kit, tools):
    root = tools.parse(kit.sign())
    ref = _refs(root)[0]
    ref.set("URI", ref.get("URI") + "\n")
    return resign_value(kit, root)


def digest_value_tampered(kit, tools):
    root = tools.parse(kit.sign())
    value = _refs(root)[0].find("ds:DigestValue", Q)
    value.text = base64.b64encode(bytes(32)).decode()
    return etree.tostring(root)


def digest_value_not_base64(kit, tools):
    root = tools.parse(kit.sign())
    _refs(root)[0].find("ds:DigestValue", Q).text = "not*base64"
    return resign_value(kit, root)


def body_moved_into_a_wrapper(kit, tools):
    root = tools.parse(kit.sign())
    body = root.find("s11:Body", Q)
    fake = etree.fromstring(f'<s:Body xmlns:s="{SOAP11}"><m:X xmlns:m="urn:m"/></s:Body>')
    wrapper = etree.SubElement(root.find("s11:Header", Q), "{urn:evil}Wrapper")
    root.replace(body, fake)
    wrapper.append(body)
    return etree.tostring(root)


def timestamp_moved_to_the_header(kit, tools):
    root = tools.parse(kit.sign())
    security = root.find("s11:Header/wsse:Security", Q)
    stamp = security.find("wsu:Timestamp", Q)
    fresh = copy.deepcopy(stamp)
    del fresh.attrib[f"{{{WSU}}}Id"]
    security.replace(stamp, fresh)
    root.find("s11:Header", Q).append(stamp)
    return etree.tostring(root)


def reference_to_the_signature_element(kit, tools):
    root = tools.parse(kit.sign())
    signature = root.find(".//ds:Signature", Q)
    _refs(root)[0].set("URI", "#" + signature.get("Id"))
    return kit.resign(root)


def comment_in_the_envelope(kit, tools):
    root = tools.parse(kit.sign())
    root.find("s11:Body", Q).addprevious(etree.Comment("between header and body"))
    return etree.tostring(root)


def no_header(kit, tools):
    return tools.envelope()


def signature_without_key_info(kit, tools):
    root = tools.parse(kit.sign())
    signature = root.find(".//ds:Signature", Q)
    signature.remove(signature.find("ds:KeyInfo", Q))
    return etree.tostring(root)


def comment_in_the_signature(kit, tools):
    root = tools.parse(kit.sign())
    root.find(".//ds:SignatureValue", Q).addprevious(etree.Comment("x"))
    return etree.tostring(root)


def nested_token_reference(kit, tools):
    root = tools.parse(kit.sign())
    reference = root.find(".//ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference", Q)
    etree.SubElement(reference, f"{{{WSSE}}}SecurityTokenReference")
    return etree.tostring(root)


def comment_in_key_info(kit, tools):
    root = tools.parse(kit.sign())
    root.find(".//ds:KeyInfo/wsse:SecurityTokenReference", Q).addprevious(etree.Comment("x"))
    return etree.tostring(root)


def second_created_in_timestamp(kit, tools):
    root = tools.parse(kit.sign())
    stamp = root.find(".//wsu:Timestamp", Q)
    etree.SubElement(stamp, f"{{{WSU}}}Created").text = "1999-01-01T00:00:00Z"
    return kit.resign(root)


CASES: list[Callable[..., bytes]] = [
    good,
    comment_between_signed_info_children,
    comment_splitting_a_digest_value,
    comment_before_a_digest_value,
    wrapped_digest_value,
    child_element_in_digest_value,
    processing_instruction_in_signed_info,
    whitespace_between_references,
    extra_attribute_on_a_reference,
    references_in_another_order,
    same_element_referenced_twice,
    two_references_to_one_element,
    reference_to_an_unknown_id,
    extra_reference_to_a_header_block,
    reference_dropped,
    reference_in_another_namespace,
    prefix_rebound_on_a_reference,
    sha1_digest,
    xslt_transform,
    extra_transform,
    inclusive_prefixes_on_a_transform,
    hmac_length_in_signature_method,
    uri_with_a_space,
    uri_with_a_trailing_newline,
    digest_value_tampered,
    digest_value_not_base64,
    body_moved_into_a_wrapper,
    timestamp_moved_to_the_header,
    reference_to_the_signature_element,
    comment_in_the_envelope,
    no_header,
    signature_without_key_info,
    comment_in_the_signature,
    nested_token_reference,
    comment_in_key_info,
    second_created_in_timestamp,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_learnt_verifier_decides_like_a_fresh_one(kit, tools, case):
    data = case(kit, tools)
    fresh = outcome(kit.verifier("strict"), data)
    warm = outcome(learnt(kit), data)
    assert warm == fresh


def test_expected_outcomes_of_some_cases(kit, tools):
    """The comparison above is only meaningful if the cases do what they say."""
    verifier = learnt(kit)
    assert outcome(verifier, good(kit, tools))[0] == "accepted"
    assert outcome(verifier, wrapped_digest_value(kit, tools))[0] == "accepted"
    assert outcome(verifier, references_in_another_order(kit, tools))[0] == "accepted"
    assert "referenced twice" in outcome(verifier, same_element_referenced_twice(kit, tools))[2]
    assert "outside the positions" in outcome(verifier, body_moved_into_a_wrapper(kit, tools))[2]
    assert "not allowed" in outcome(verifier, sha1_digest(kit, tools))[2]
    assert "unexpected element" in outcome(verifier, reference_in_another_namespace(kit, tools))[2]
    assert outcome(verifier, comment_before_a_digest_value(kit, tools))[0] == "refused"
    extra = outcome(verifier, extra_reference_to_a_header_block(kit, tools))
    assert extra[0] == "accepted" and len(extra[1]) == 4


def test_known_layout_skips_the_full_rules(kit, monkeypatch):
    verifier = learnt(kit)
    calls = [0]
    full = Verifier._signed_info

    def counting(self, *args, **kwargs):
        calls[0] += 1
        return full(self, *args, **kwargs)

    monkeypatch.setattr(Verifier, "_signed_info", counting)
    for _ in range(3):
        verifier.verify(kit.sign())
    assert calls[0] == 0


def test_layout_is_learnt_only_from_accepted_messages(kit, tools):
    verifier = kit.verifier("strict")
    with pytest.raises(WSSecurityFault):
        verifier.verify(digest_value_tampered(kit, tools))
    assert not verifier._shapes


def test_known_layouts_are_bounded(kit, tools, monkeypatch):
    monkeypatch.setattr(verifier_module, "_SHAPES_MAX", 2)
    verifier = kit.verifier("strict")
    for attribute in ("a", "b", "c", "d"):
        root = tools.parse(kit.sign())
        _refs(root)[0].set(attribute, "1")
        verifier.verify(resign_value(kit, root))
    assert len(verifier._shapes) == 2


def test_verify_element_leaves_the_tree_alone(kit, tools):
    """Only a Body holding comments or PIs is replaced; otherwise the tree is read only."""
    verifier = learnt(kit)
    root = tools.parse(kit.sign())
    before = etree.tostring(root)
    verifier.verify_element(root)
    assert etree.tostring(root) == before


# -- value parsing fast paths ---------------------------------------------------------------


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    ),
    st.sampled_from(["ms", "s", "us", "offset"]),
)
def test_timestamp_fast_path_reads_like_the_general_one(moment, style):
    """``parse_time`` takes a C shortcut for ``...THH:MM:SS(.mmm)Z``; values must not change."""
    if style == "ms":
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    elif style == "s":
        text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif style == "us":
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        text = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    general = timestamp._XSD_DATETIME.match(text)
    assert general is not None
    year, month, day, hour, minute, second, frac, _ = general.groups()
    micro = int((frac or "0").ljust(6, "0")[:6])
    expected = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC
    )
    parsed = timestamp.parse_time(text, "Created")
    assert parsed == expected and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-13-01T00:00:00Z", "not a valid date"),
        ("2025-02-30T00:00:00.000Z", "not a valid date"),
        ("2025-01-01T24:00:00Z", "not a valid date"),
        ("2025-01-01T00:00:00", "not an xsd:dateTime"),
        ("2025-01-01", "not an xsd:dateTime"),
        (None, "not an xsd:dateTime"),
    ],
)
def test_timestamp_refusals_are_unchanged(text, reason):
    with pytest.raises(WSSecurityFault, match=reason):
        timestamp.parse_time(text, "Created")


def test_timestamp_offsets_and_whitespace_still_take_the_general_path():
    assert timestamp.parse_time(" 2025-01-01T02:00:00+02:00 ", "Created") == datetime(
        2025, 1, 1, tzinfo=UTC
    )
    assert timestamp.parse_time("2025-01-01T00:00:00.5Z\n", "Created") == datetime(
        2025, 1, 1, 0, 0, 0, 500000, tzinfo=UTC
    )


@given(st.text(alphabet="ABCabc019+/= \n\t*-_é", max_size=24))
def test_strict_base64_reads_like_b64decode_validate(text):
    try:
        expected: bytes | None = base64.b64decode("".join(text.split()), validate=True)
    except ValueError:
        expected = None
    assert verifier_module._b64(text) == expected


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(9998, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]
        ),
    )
)
def test_format_time_writes_utc_milliseconds_truncated(moment: datetime) -> None:
    utc = moment.astimezone(UTC)
    expected = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    assert timestamp.format_time(moment) == expected
    assert timestamp.parse_time(expected, "Created") == utc.replace(
        microsecond=utc.microsecond // 1000 * 1000
    )
