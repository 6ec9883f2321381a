"""Flemish schemas to and from the canonical models: VOV registrations (single, bulk), ODB courses.

Schemas: ``urn:be:brug:flanders:vov-registration:1`` and ``urn:be:brug:flanders:odb-course:1``
(``schemas/flanders``). Their element names are brug's canonical English names, so the binding
is nearly one-to-one; it is still written out by hand (no generic model walker) because element
order, optional elements and lexical forms must match the XSD exactly for lossless round trips.

Reading always validates against the XSD first (every error listed), then builds the models via
:func:`gateway.validation.parse_model` so that identifier checks (INSZ, KBO check digits) come
back as violations of the same error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.models.header import MessageHeader
from gateway.models.odb import CourseModule, OdbCourse, Volume
from gateway.models.parties import Employer, Employment, EstablishmentUnit, Worker
from gateway.models.vov import PriorUse, VovRegistration
from gateway.xml import schemas
from gateway.xml.binding import (
    Message,
    ModelBuilder,
    as_root,
    child,
    children,
    expect_root,
    many,
    new_root,
    opt,
    put,
    sub,
    text,
    texts,
)
from gateway.xml.header import HEADER_NS, HEADER_PREFIX, append_header, find_header, header_data
from gateway.xml.safe_parser import ParseLimits

VOV_NS = "urn:be:brug:flanders:vov-registration:1"
ODB_NS = "urn:be:brug:flanders:odb-course:1"
VOV_SCHEMA = "vov-registration-v1"
ODB_SCHEMA = "odb-course-v1"


def _v(local: str) -> str:
    return f"{{{VOV_NS}}}{local}"


def _o(local: str) -> str:
    return f"{{{ODB_NS}}}{local}"


VOV_MESSAGE = _v("vovRegistrationMessage")
VOV_BULK = _v("vovRegistrationBulk")
ODB_MESSAGE = _o("odbCourseMessage")
ODB_COURSE = _o("course")

# --------------------------------------------------------------------------- VOV: writing


def _append_worker(parent: etree._Element, worker: Worker) -> None:
    element = sub(parent, _v("worker"))
    sub(element, _v("insz"), worker.insz)
    opt(element, _v("educationLevel"), worker.education_level)
    opt(element, _v("livesAlone"), worker.lives_alone)


def _append_employer(parent: etree._Element, employer: Employer) -> None:
    element = sub(parent, _v("employer"))
    sub(element, _v("kbo"), employer.kbo)
    sub(element, _v("name"), employer.name)
    sub(element, _v("sector"), employer.sector)


def _append_unit(parent: etree._Element, unit: EstablishmentUnit) -> None:
    element = sub(parent, _v("establishmentUnit"))
    sub(element, _v("number"), unit.number)
    sub(element, _v("region"), unit.region)
    opt(element, _v("postcode"), unit.postcode)


def _append_employment(parent: etree._Element, employment: Employment) -> None:
    element = sub(parent, _v("employment"))
    sub(element, _v("fraction"), employment.fraction)
    sub(element, _v("referenceMonth"), employment.reference_month)


def _append_prior_use(parent: etree._Element, prior: PriorUse) -> None:
    element = sub(parent, _v("priorUse"))
    sub(element, _v("region"), prior.region)
    sub(element, _v("hours"), prior.hours)


def append_registration(parent: etree._Element, registration: VovRegistration) -> None:
    """Append ``<registration>`` in schema order."""
    element = sub(parent, _v("registration"))
    sub(element, _v("registrationId"), registration.registration_id)
    _append_worker(element, registration.worker)
    _append_employer(element, registration.employer)
    _append_unit(element, registration.establishment_unit)
    _append_employment(element, registration.employment)
    sub(element, _v("odbNumber"), registration.odb_number)
    sub(element, _v("providerKbo"), registration.provider_kbo)
    sub(element, _v("contactHours"), registration.contact_hours)
    opt(element, _v("studyPoints"), registration.study_points)
    sub(element, _v("startDate"), registration.start_date)
    sub(element, _v("endDate"), registration.end_date)
    many(element, _v("examDate"), registration.exam_dates)
    sub(element, _v("jointInitiative"), registration.joint_initiative)
    for prior in registration.prior_use:
        _append_prior_use(element, prior)
    opt(element, _v("attestDate"), registration.attest_date)


def _vov_root(tag: str, header: MessageHeader) -> etree._Element:
    root = new_root(tag, VOV_NS, **{HEADER_PREFIX: HEADER_NS})
    append_header(root, header)
    return root


def registration_to_xml(registration: VovRegistration, header: MessageHeader) -> etree._Element:
    """``<vovRegistrationMessage>``: one registration with its header."""
    root = _vov_root(VOV_MESSAGE, header)
    append_registration(root, registration)
    return root


def registrations_to_xml(
    registrations: Sequence[VovRegistration], header: MessageHeader
) -> etree._Element:
    """``<vovRegistrationBulk>``: a bulk file (one header, at least one registration)."""
    if not registrations:
        raise BrugValidationError(
            [Violation("registrations", "vov.bulk.empty", "a bulk file needs a registration")],
            context="VOV bulk file",
        )
    root = _vov_root(VOV_BULK, header)
    for registration in registrations:
        append_registration(root, registration)
    return root


# --------------------------------------------------------------------------- VOV: reading


def _worker_data(element: etree._Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    data: dict[str, Any] = {"insz": text(element, _v("insz"))}
    put(data, "education_level", text(element, _v("educationLevel")))
    put(data, "lives_alone", text(element, _v("livesAlone")))
    return data


def _fields(element: etree._Element | None, names: dict[str, str]) -> dict[str, Any] | None:
    """Map simple child elements (wire name -> field name) for flat sub-records."""
    if element is None:
        return None
    data: dict[str, Any] = {}
    for wire, field in names.items():
        put(data, field, text(element, wire))
    return data


def registration_data(element: etree._Element) -> dict[str, Any]:
    """Plain data for :class:`VovRegistration` from a ``<registration>`` element."""
    data: dict[str, Any] = {}
    put(data, "registration_id", text(element, _v("registrationId")))
    put(data, "worker", _worker_data(child(element, _v("worker"))))
    put(
        data,
        "employer",
        _fields(
            child(element, _v("employer")),
            {_v("kbo"): "kbo", _v("name"): "name", _v("sector"): "sector"},
        ),
    )
    put(
        data,
        "establishment_unit",
        _fields(
            child(element, _v("establishmentUnit")),
            {_v("number"): "number", _v("region"): "region", _v("postcode"): "postcode"},
        ),
    )
    put(
        data,
        "employment",
        _fields(
            child(element, _v("employment")),
            {_v("fraction"): "fraction", _v("referenceMonth"): "reference_month"},
        ),
    )
    put(data, "odb_number", text(element, _v("odbNumber")))
    put(data, "provider_kbo", text(element, _v("providerKbo")))
    put(data, "contact_hours", text(element, _v("contactHours")))
    put(data, "study_points", text(element, _v("studyPoints")))
    put(data, "start_date", text(element, _v("startDate")))
    put(data, "end_date", text(element, _v("endDate")))
    data["exam_dates"] = texts(element, _v("examDate"))
    put(data, "joint_initiative", text(element, _v("jointInitiative")))
    data["prior_use"] = [
        {"region": text(p, _v("region")), "hours": text(p, _v("hours"))}
        for p in children(element, _v("priorUse"))
    ]
    put(data, "attest_date", text(element, _v("attestDate")))
    return data


def _read_vov(
    document: etree._Element | bytes | str, root_tag: str, limits: ParseLimits | None
) -> tuple[MessageHeader, tuple[VovRegistration, ...]]:
    context = "VOV registration"
    root = as_root(document, limits)
    expect_root(root, root_tag, context)
    schemas.validate(VOV_SCHEMA, root)
    builder = ModelBuilder(context)
    header = builder.build(MessageHeader, header_data(find_header(root)), "header")
    elements = list(children(root, _v("registration")))
    many_records = len(elements) > 1 or root_tag == VOV_BULK
    records = [
        builder.build(
            VovRegistration,
            registration_data(element),
            f"registration[{index}]" if many_records else "registration",
        )
        for index, element in enumerate(elements, start=1)
    ]
    builder.raise_if_invalid()
    assert header is not None
    return header, tuple(r for r in records if r is not None)


def registration_from_xml(
    document: etree._Element | bytes | str, *, limits: ParseLimits | None = None
) -> Message[VovRegistration]:
    """Read a ``<vovRegistrationMessage>`` (XSD first, then the model checks)."""
    header, records = _read_vov(document, VOV_MESSAGE, limits)
    return Message(header, records[0])


def registrations_from_xml(
    document: etree._Element | bytes | str, *, limits: ParseLimits | None = None
) -> Message[tuple[VovRegistration, ...]]:
    """Read a ``<vovRegistrationBulk>``; every record's violations are reported together."""
    return Message(*_read_vov(document, VOV_BULK, limits))


# --------------------------------------------------------------------------- ODB: writing


def _append_volume(parent: etree._Element, volume: Volume) -> None:
    element = sub(parent, _o("volume"))
    sub(element, _o("amount"), volume.amount)
    sub(element, _o("unit"), volume.unit)


def _append_module(parent: etree._Element, module: CourseModule) -> None:
    element = sub(parent, _o("module"))
    sub(element, _o("odbNumber"), module.odb_number)
    sub(element, _o("title"), module.title)
    _append_volume(element, module.volume)


def append_course(parent: etree._Element, course: OdbCourse) -> etree._Element:
    """Append ``<course>`` (the global element the gateway service also uses)."""
    element = sub(parent, ODB_COURSE)
    sub(element, _o("odbNumber"), course.odb_number)
    sub(element, _o("titleNl"), course.title_nl)
    provider = sub(element, _o("provider"))
    sub(provider, _o("kbo"), course.provider.kbo)
    sub(provider, _o("name"), course.provider.name)
    opt(provider, _o("region"), course.provider.region)
    opt(provider, _o("wseQualityRegistration"), course.provider.wse_quality_registration)
    sub(element, _o("courseType"), course.course_type)
    _append_volume(element, course.volume)
    for module in course.modules:
        _append_module(element, module)
    incentives = sub(element, _o("incentives"))
    sub(incentives, _o("vov"), course.incentives.vov)
    sub(incentives, _o("trainingVouchers"), course.incentives.training_vouchers)
    sub(incentives, _o("vok"), course.incentives.vok)
    many(element, _o("outcome"), course.outcomes)
    sub(element, _o("firstDiplomaOnly"), course.first_diploma_only)
    sub(element, _o("qualifying"), course.qualifying)
    sub(element, _o("bottleneckOccupation"), course.bottleneck_occupation)
    sub(element, _o("entrepreneurship"), course.entrepreneurship)
    sub(element, _o("status"), course.status)
    sub(element, _o("validFrom"), course.valid_from)
    opt(element, _o("validUntil"), course.valid_until)
    return element


def course_to_xml(course: OdbCourse, header: MessageHeader) -> etree._Element:
    """``<odbCourseMessage>``: one course with its header."""
    root = new_root(ODB_MESSAGE, ODB_NS, **{HEADER_PREFIX: HEADER_NS})
    append_header(root, header)
    append_course(root, course)
    return root


# --------------------------------------------------------------------------- ODB: reading


def _volume_data(element: etree._Element | None) -> dict[str, Any] | None:
    return _fields(element, {_o("amount"): "amount", _o("unit"): "unit"})


def course_data(element: etree._Element) -> dict[str, Any]:
    """Plain data for :class:`OdbCourse` from a ``<course>`` element."""
    data: dict[str, Any] = {}
    put(data, "odb_number", text(element, _o("odbNumber")))
    put(data, "title_nl", text(element, _o("titleNl")))
    put(
        data,
        "provider",
        _fields(
            child(element, _o("provider")),
            {
                _o("kbo"): "kbo",
                _o("name"): "name",
                _o("region"): "region",
                _o("wseQualityRegistration"): "wse_quality_registration",
            },
        ),
    )
    put(data, "course_type", text(element, _o("courseType")))
    put(data, "volume", _volume_data(child(element, _o("volume"))))
    data["modules"] = [
        {
            "odb_number": text(m, _o("odbNumber")),
            "title": text(m, _o("title")),
            "volume": _volume_data(child(m, _o("volume"))),
        }
        for m in children(element, _o("module"))
    ]
    put(
        data,
        "incentives",
        _fields(
            child(element, _o("incentives")),
            {_o("vov"): "vov", _o("trainingVouchers"): "training_vouchers", _o("vok"): "vok"},
        ),
    )
    data["outcomes"] = texts(element, _o("outcome"))
    for wire, field in (
        ("firstDiplomaOnly", "first_diploma_only"),
        ("qualifying", "qualifying"),
        ("bottleneckOccupation", "bottleneck_occupation"),
        ("entrepreneurship", "entrepreneurship"),
        ("status", "status"),
        ("validFrom", "valid_from"),
        ("validUntil", "valid_until"),
    ):
        put(data, field, text(element, _o(wire)))
    return data


def course_from_element(element: etree._Element, *, context: str = "ODB course") -> OdbCourse:
    """Build a course from an already schema-valid ``<course>`` element (e.g. a SOAP answer)."""
    builder = ModelBuilder(context)
    course = builder.build(OdbCourse, course_data(element), "course")
    builder.raise_if_invalid()
    assert course is not None
    return course


def course_from_xml(
    document: etree._Element | bytes | str, *, limits: ParseLimits | None = None
) -> Message[OdbCourse]:
    """Read an ``<odbCourseMessage>`` (XSD first, then the model checks)."""
    context = "ODB course"
    root = as_root(document, limits)
    expect_root(root, ODB_MESSAGE, context)
    schemas.validate(ODB_SCHEMA, root)
    builder = ModelBuilder(context)
    header = builder.build(MessageHeader, header_data(find_header(root)), "header")
    element = child(root, ODB_COURSE)
    assert element is not None  # guaranteed by the schema
    course = builder.build(OdbCourse, course_data(element), "course")
    builder.raise_if_invalid()
    assert header is not None and course is not None
    return Message(header, course)
