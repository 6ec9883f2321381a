"""``gw:AcknowledgementType``: how a partner (or the gateway) confirms it took a message.

Shared by Brussels' ``ReceiveBevRecordResponse`` and the gateway's
``PushCareerBreakMutationResponse``: message id, status (accepted / rejected / duplicate),
receipt time, the violations of a rejected message, and the reasons an accepted record's
mapping is provisional (it rests on rule data that is not confirmed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from lxml import etree

from gateway.errors import Violation
from gateway.soap.faults import GW_NS
from gateway.xml.binding import fmt_datetime

AckStatus = Literal["accepted", "rejected", "duplicate"]


def _q(local: str) -> str:
    return f"{{{GW_NS}}}{local}"


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    message_id: UUID
    status: AckStatus
    received_at: datetime
    violations: tuple[Violation, ...] = ()
    provisional: tuple[str, ...] = ()

    def to_element(self, tag: str) -> etree._Element:
        """``tag`` (Clark notation) typed as gw:AcknowledgementType, children in schema order."""
        root = etree.Element(tag, nsmap={"gw": GW_NS})
        etree.SubElement(root, _q("messageId")).text = str(self.message_id)
        etree.SubElement(root, _q("status")).text = self.status
        etree.SubElement(root, _q("receivedAt")).text = fmt_datetime(self.received_at)
        for v in self.violations:
            item = etree.SubElement(root, _q("violation"))
            etree.SubElement(item, _q("path")).text = v.path
            etree.SubElement(item, _q("rule")).text = v.rule
            etree.SubElement(item, _q("message")).text = v.message
            if v.value is not None:
                etree.SubElement(item, _q("value")).text = v.value
        for reason in self.provisional:
            etree.SubElement(root, _q("provisional")).text = reason
        return root

    @classmethod
    def from_element(cls, element: etree._Element) -> Acknowledgement:
        """Read an acknowledgement already validated against its XSD."""
        status = element.findtext(_q("status")) or ""
        if status not in ("accepted", "rejected", "duplicate"):
            raise ValueError(f"unknown acknowledgement status {status!r}")
        return cls(
            message_id=UUID(element.findtext(_q("messageId")) or ""),
            status=status,  # type: ignore[arg-type]  # checked just above
            received_at=datetime.fromisoformat(element.findtext(_q("receivedAt")) or ""),
            violations=tuple(
                Violation(
                    v.findtext(_q("path")) or "",
                    v.findtext(_q("rule")) or "",
                    v.findtext(_q("message")) or "",
                    v.findtext(_q("value")),
                )
                for v in element.findall(_q("violation"))
            ),
            provisional=tuple(p.text or "" for p in element.findall(_q("provisional"))),
        )
