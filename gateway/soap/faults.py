"""SOAP Faults: writing them (simulators, gateway) and reading them (clients).

A partner that rejects a message must say *everything* that is wrong in one answer, so a
validation fault carries a ``gw:ValidationFault`` detail with one ``violation`` per broken rule
(the same :class:`~gateway.errors.Violation` brug uses everywhere). Readers turn any fault back
into a :class:`SoapFault` whose :attr:`~SoapFault.is_sender_fault` decides retry vs dead-letter.

Fault codes: SOAP 1.1 ``soapenv:Client`` / ``soapenv:Server`` (or a WS-Security code such as
``wsse:FailedCheck`` written by :meth:`WSSecurityFault.to_soap_fault`); SOAP 1.2 ``env:Sender``
/ ``env:Receiver`` with an optional Subcode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.models.common import escape_unsafe_text
from gateway.observability.redaction import redact_insz
from gateway.soap.envelope import NAMESPACES, PREFIXES, SoapVersion, first_element
from gateway.soap.ns import SOAP11, SOAP12, XML

GW_NS = "urn:be:brug:gateway:service:1"
VALIDATION_FAULT = f"{{{GW_NS}}}ValidationFault"

Side = Literal["sender", "receiver"]

#: WS-Security fault codes a retry with a freshly signed message can cure.
RETRYABLE_SECURITY_CODES = frozenset({"MessageExpired"})


@dataclass(frozen=True, slots=True)
class SoapFault:
    """A received (or to be sent) fault, version-neutral."""

    version: SoapVersion
    code: str  # prefixed, as on the wire: "soapenv:Client", "env:Sender", "wsse:FailedCheck"
    reason: str
    subcode: str | None = None
    context: str | None = None
    violations: tuple[Violation, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """Local names of the code and subcode (``("Sender", "FailedCheck")``)."""
        return tuple(c.rsplit(":", 1)[-1] for c in (self.code, self.subcode) if c)

    @property
    def is_security_fault(self) -> bool:
        return any(c.startswith(("wsse:", "wsu:")) for c in (self.code, self.subcode) if c)

    @property
    def is_sender_fault(self) -> bool:
        """The message itself is wrong: sending it again cannot help (dead-letter).

        ``Client``/``Sender`` (and their dotted refinements) and WS-Security codes count as the
        sender's fault, except ``wsu:MessageExpired``: brug re-signs on every attempt, so a
        retry carries a fresh Timestamp.
        """
        if any(c in RETRYABLE_SECURITY_CODES for c in self.codes):
            return False
        if self.is_security_fault or self.violations:
            return True
        return self.codes[0].split(".", 1)[0] in ("Client", "Sender")

    def describe(self) -> str:
        code = self.code if self.subcode is None else f"{self.code}/{self.subcode}"
        return f"SOAP fault {code}: {self.reason}"


# --------------------------------------------------------------------------- writing


def _append_validation_detail(
    parent: etree._Element, context: str, violations: Sequence[Violation]
) -> None:
    fault = etree.SubElement(parent, VALIDATION_FAULT, nsmap={"gw": GW_NS})
    etree.SubElement(fault, f"{{{GW_NS}}}context").text = _safe(context)
    for v in violations:
        item = etree.SubElement(fault, f"{{{GW_NS}}}violation")
        etree.SubElement(item, f"{{{GW_NS}}}path").text = _safe(v.path)
        etree.SubElement(item, f"{{{GW_NS}}}rule").text = _safe(v.rule)
        etree.SubElement(item, f"{{{GW_NS}}}message").text = _safe(v.message)
        if v.value is not None:
            etree.SubElement(item, f"{{{GW_NS}}}value").text = _safe(v.value)


def _safe(text: str) -> str:
    """What a fault may carry: INSZ masked by value (whatever field held it), and characters
    XML cannot carry escaped (a fault that fails to render would be a 500)."""
    return escape_unsafe_text(redact_insz(text))


def fault_element(
    version: SoapVersion,
    side: Side,
    reason: str,
    *,
    context: str | None = None,
    violations: Sequence[Violation] = (),
) -> etree._Element:
    """A Fault Envelope (an element, so that a server may sign it before serialising)."""
    ns = NAMESPACES[version]
    env = etree.Element(f"{{{ns}}}Envelope", nsmap={PREFIXES[version]: ns})
    etree.SubElement(env, f"{{{ns}}}Header")
    body = etree.SubElement(env, f"{{{ns}}}Body")
    fault = etree.SubElement(body, f"{{{ns}}}Fault")
    prefix = PREFIXES[version]
    if version == "1.1":
        code = "Client" if side == "sender" else "Server"
        etree.SubElement(fault, "faultcode").text = f"{prefix}:{code}"
        etree.SubElement(fault, "faultstring").text = _safe(reason)
        detail = etree.SubElement(fault, "detail") if violations else None
    else:
        code = "Sender" if side == "sender" else "Receiver"
        code_el = etree.SubElement(fault, f"{{{ns}}}Code")
        etree.SubElement(code_el, f"{{{ns}}}Value").text = f"{prefix}:{code}"
        reason_el = etree.SubElement(fault, f"{{{ns}}}Reason")
        text = etree.SubElement(reason_el, f"{{{ns}}}Text")
        text.set(f"{{{XML}}}lang", "en")
        text.text = _safe(reason)
        detail = etree.SubElement(fault, f"{{{ns}}}Detail") if violations else None
    if detail is not None:
        _append_validation_detail(detail, context or "message", violations)
    return env


def fault_envelope(
    version: SoapVersion,
    side: Side,
    reason: str,
    *,
    context: str | None = None,
    violations: Sequence[Violation] = (),
) -> bytes:
    element = fault_element(version, side, reason, context=context, violations=violations)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def validation_fault(error: BrugValidationError, version: SoapVersion = "1.1") -> bytes:
    """A sender fault listing every violation of ``error`` in a ``gw:ValidationFault``."""
    return fault_envelope(
        version,
        "sender",
        f"invalid {error.context}: {len(error.violations)} violation(s)",
        context=error.context,
        violations=error.violations,
    )


def http_status(version: SoapVersion, side: Side) -> int:
    """SOAP 1.1 sends every fault with 500; SOAP 1.2 uses 400 for Sender faults."""
    if version == "1.2" and side == "sender":
        return 400
    return 500


# --------------------------------------------------------------------------- reading


def _violations(detail: etree._Element | None) -> tuple[str | None, tuple[Violation, ...]]:
    if detail is None:
        return None, ()
    found = detail.find(VALIDATION_FAULT)
    if found is None:
        return None, ()
    items = tuple(
        Violation(
            path=v.findtext(f"{{{GW_NS}}}path") or "",
            rule=v.findtext(f"{{{GW_NS}}}rule") or "",
            message=v.findtext(f"{{{GW_NS}}}message") or "",
            value=v.findtext(f"{{{GW_NS}}}value"),
        )
        for v in found.findall(f"{{{GW_NS}}}violation")
    )
    return found.findtext(f"{{{GW_NS}}}context"), items


def parse_fault(body: etree._Element) -> SoapFault | None:
    """The Fault in a SOAP Body (1.1 or 1.2), or None when the Body holds no Fault."""
    fault = first_element(body)
    if fault is None:
        return None
    if fault.tag == f"{{{SOAP11}}}Fault":
        context, violations = _violations(fault.find("detail"))
        return SoapFault(
            "1.1",
            (fault.findtext("faultcode") or "").strip(),
            (fault.findtext("faultstring") or "").strip(),
            context=context,
            violations=violations,
        )
    if fault.tag == f"{{{SOAP12}}}Fault":
        n = f"{{{SOAP12}}}"
        context, violations = _violations(fault.find(f"{n}Detail"))
        return SoapFault(
            "1.2",
            (fault.findtext(f"{n}Code/{n}Value") or "").strip(),
            (fault.findtext(f"{n}Reason/{n}Text") or "").strip(),
            subcode=(fault.findtext(f"{n}Code/{n}Subcode/{n}Value") or "").strip() or None,
            context=context,
            violations=violations,
        )
    return None
