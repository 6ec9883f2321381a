"""Federal career-break XML (``urn:be:brug:federal:career-break:1``) to and from the models.

The wire follows MAGDA's GeefLoopbaanonderbrekingen names in Dutch (Bron, Dossiernummer, INSZ,
Periode/Begin/Einde, Categorie, Regime, Vermindering, Reden, Contract,
BedragMaandelijkseUitkering, GemiddeldAantalUrenPerWeek; codes with an optional Omschrijving);
the canonical models (:mod:`gateway.models.career_break`) are English. Three documents:

* the query (``GeefLoopbaanonderbrekingenVraag``): INSZ + period + optional sources;
* the response (``GeefLoopbaanonderbrekingenAntwoord``): the records found;
* the mutation notification (``LoopbaanonderbrekingMutaties``) the federal side pushes: new or
  cancelled attests, each with its number, status and the record concerned.

Codes are kept as codes: which ``Reden`` means "training" lives in configurable rule data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.models.career_break import (
    AttestStatus,
    CareerBreakMutation,
    CareerBreakQuery,
    CareerBreakRecord,
    CareerBreakResponse,
    CodeValue,
    Period,
)
from gateway.models.header import MessageHeader
from gateway.xml import schemas
from gateway.xml.binding import (
    Message,
    ModelBuilder,
    as_root,
    child,
    children,
    expect_root,
    new_root,
    opt,
    put,
    sub,
    text,
    texts,
)
from gateway.xml.header import HEADER_NS, HEADER_PREFIX, append_header, find_header, header_data
from gateway.xml.safe_parser import ParseLimits

CAREER_BREAK_NS = "urn:be:brug:federal:career-break:1"
SCHEMA = "career-break-v1"


def _q(local: str) -> str:
    return f"{{{CAREER_BREAK_NS}}}{local}"


QUERY = _q("GeefLoopbaanonderbrekingenVraag")
RESPONSE = _q("GeefLoopbaanonderbrekingenAntwoord")
MUTATIONS = _q("LoopbaanonderbrekingMutaties")

#: Attest status on the wire (Dutch) <-> canonical.
ATTEST_STATUS: dict[AttestStatus, str] = {
    AttestStatus.NEW: "nieuw",
    AttestStatus.CANCELLED: "geannuleerd",
}
_ATTEST_STATUS_IN = {wire: status for status, wire in ATTEST_STATUS.items()}

# --------------------------------------------------------------------------- writing


def _root(tag: str, header: MessageHeader) -> etree._Element:
    root = new_root(tag, CAREER_BREAK_NS, **{HEADER_PREFIX: HEADER_NS})
    append_header(root, header)
    return root


def _append_period(parent: etree._Element, period: Period) -> None:
    element = sub(parent, _q("Periode"))
    sub(element, _q("Begin"), period.begin)
    opt(element, _q("Einde"), period.end)


def _append_code(parent: etree._Element, tag: str, code: CodeValue | None) -> None:
    if code is None:
        return
    element = sub(parent, _q(tag))
    sub(element, _q("Code"), code.code)
    opt(element, _q("Omschrijving"), code.description)


def append_record(parent: etree._Element, record: CareerBreakRecord) -> None:
    """Append ``<Loopbaanonderbreking>`` in schema order."""
    element = sub(parent, _q("Loopbaanonderbreking"))
    sub(element, _q("Bron"), record.source)
    opt(element, _q("Dossiernummer"), record.dossier_number)
    sub(element, _q("INSZ"), record.insz)
    _append_period(element, record.period)
    _append_code(element, "Categorie", record.category)
    _append_code(element, "Regime", record.regime)
    _append_code(element, "Vermindering", record.reduction)
    _append_code(element, "Reden", record.reason)
    _append_code(element, "Contract", record.contract)
    opt(element, _q("BedragMaandelijkseUitkering"), record.monthly_allowance)
    opt(element, _q("GemiddeldAantalUrenPerWeek"), record.average_hours_per_week)


def query_to_xml(query: CareerBreakQuery, header: MessageHeader) -> etree._Element:
    root = _root(QUERY, header)
    vraag = sub(root, _q("Vraag"))
    sub(vraag, _q("INSZ"), query.insz)
    _append_period(vraag, query.period)
    for source in query.sources:
        sub(vraag, _q("Bron"), source)
    return root


def response_to_xml(response: CareerBreakResponse, header: MessageHeader) -> etree._Element:
    root = _root(RESPONSE, header)
    antwoord = sub(root, _q("Antwoord"))
    sub(antwoord, _q("INSZ"), response.insz)
    _append_period(antwoord, response.period)
    for record in response.records:
        append_record(antwoord, record)
    return root


def mutations_to_xml(
    mutations: Sequence[CareerBreakMutation], header: MessageHeader
) -> etree._Element:
    """``<LoopbaanonderbrekingMutaties>``: at least one mutation."""
    if not mutations:
        raise BrugValidationError(
            [Violation("mutations", "career-break.mutations.empty", "no mutation to notify")],
            context="career-break mutation",
        )
    root = _root(MUTATIONS, header)
    for mutation in mutations:
        element = sub(root, _q("Mutatie"))
        sub(element, _q("Attestnummer"), mutation.attest_number)
        sub(element, _q("Status"), ATTEST_STATUS[mutation.status])
        append_record(element, mutation.record)
    return root


# --------------------------------------------------------------------------- reading


def _period_data(element: etree._Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    data: dict[str, Any] = {"begin": text(element, _q("Begin"))}
    put(data, "end", text(element, _q("Einde")))
    return data


def _code_data(element: etree._Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    data: dict[str, Any] = {"code": text(element, _q("Code"))}
    put(data, "description", text(element, _q("Omschrijving")))
    return data


def record_data(element: etree._Element) -> dict[str, Any]:
    """Plain data for :class:`CareerBreakRecord` from ``<Loopbaanonderbreking>``."""
    data: dict[str, Any] = {}
    put(data, "source", text(element, _q("Bron")))
    put(data, "dossier_number", text(element, _q("Dossiernummer")))
    put(data, "insz", text(element, _q("INSZ")))
    put(data, "period", _period_data(child(element, _q("Periode"))))
    for wire, field in (
        ("Categorie", "category"),
        ("Regime", "regime"),
        ("Vermindering", "reduction"),
        ("Reden", "reason"),
        ("Contract", "contract"),
    ):
        put(data, field, _code_data(child(element, _q(wire))))
    put(data, "monthly_allowance", text(element, _q("BedragMaandelijkseUitkering")))
    put(data, "average_hours_per_week", text(element, _q("GemiddeldAantalUrenPerWeek")))
    return data


def _open(
    document: etree._Element | bytes | str, tag: str, context: str, limits: ParseLimits | None
) -> tuple[etree._Element, ModelBuilder, MessageHeader | None]:
    root = as_root(document, limits)
    expect_root(root, tag, context)
    schemas.validate(SCHEMA, root)
    builder = ModelBuilder(context)
    header = builder.build(MessageHeader, header_data(find_header(root)), "header")
    return root, builder, header


def query_from_xml(
    document: etree._Element | bytes | str, *, limits: ParseLimits | None = None
) -> Message[CareerBreakQuery]:
    root, builder, header = _open(document, QUERY, "career-break query", limits)
    vraag = child(root, _q("Vraag"))
    assert vraag is not None  # guaranteed by the schema
    data: dict[str, Any] = {
        "insz": text(vraag, _q("INSZ")),
        "period": _period_data(child(vraag, _q("Periode"))),
        "sources": texts(vraag, _q("Bron")),
    }
    query = builder.build(CareerBreakQuery, data, "Vraag")
    builder.raise_if_invalid()
    assert header is not None and query is not None
    return Message(header, query)


def response_from_xml(
    document: etree._Element | bytes | str, *, limits: ParseLimits | None = None
) -> Message[CareerBreakResponse]:
    root, builder, header = _open(document, RESPONSE, "career-break response", limits)
    antwoord = child(root, _q("Antwoord"))
    assert antwoord is not None  # guaranteed by the schema
    data: dict[str, Any] = {
        "insz": text(antwoord, _q("INSZ")),
        "period": _period_data(child(antwoord, _q("Periode"))),
        "records": [record_data(r) for r in children(antwoord, _q("Loopbaanonderbreking"))],
    }
    response = builder.build(CareerBreakResponse, data, "Antwoord")
    builder.raise_if_invalid()
    assert header is not None and response is not None
    return Message(header, response)


def mutations_from_xml(
    document: etree._Element | bytes | str, *, limits: ParseLimits | None = None
) -> Message[tuple[CareerBreakMutation, ...]]:
    """Read a mutation notification; every mutation's violations are reported together."""
    root, builder, header = _open(document, MUTATIONS, "career-break mutation", limits)
    mutations: list[CareerBreakMutation | None] = []
    for index, element in enumerate(children(root, _q("Mutatie")), start=1):
        status = text(element, _q("Status"))
        record = child(element, _q("Loopbaanonderbreking"))
        data: dict[str, Any] = {
            "attest_number": text(element, _q("Attestnummer")),
            "status": _ATTEST_STATUS_IN.get(status or "", status),
            "record": record_data(record) if record is not None else None,
        }
        mutations.append(builder.build(CareerBreakMutation, data, f"Mutatie[{index}]"))
    builder.raise_if_invalid()
    assert header is not None
    return Message(header, tuple(m for m in mutations if m is not None))
