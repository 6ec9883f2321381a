"""Brussels BEV records (``urn:be:brug:brussels:bev-record:1`` and ``:2``) to and from BevRecord.

Brussels is a French-speaking partner: the wire uses French element names and French enumeration
values (``professionnelle``, ``metier-en-penurie``...). This module owns that vocabulary; the
canonical :class:`~gateway.models.bev.BevRecord` stays English.

Two wire versions are live at once, and they do not carry the same things:

* **v2 adds** the optional ``langueIntitule`` (the course title's language). v1 cannot carry
  ``BevRecord.course_title_language``: writing a non-Dutch title as v1 would silently turn it
  into a Dutch one, so :func:`to_xml` refuses unless the caller accepts the loss explicitly
  (``allow_loss=True``); :func:`fields_lost` tells a mapping report what would be lost.
  Reading v1 (or v2 without the element) gives the model default ``"nl"``: ODB titles are Dutch.
* **v2 removes** ``faible-niveau-etudes`` from ``motifPlafondMajore``: from v2 on Brussels
  derives the 130 h raise itself from ``niveauEtudes`` (low or medium) on a professional course.
  So v2 *omits* the reason where it is derivable and the reader derives it back
  (:func:`derives_low_education`); where it is not derivable (no or a high education level),
  or where a record without a reason would be read back with one, v2 cannot carry the record
  faithfully: BrugValidationError, and :func:`best_version` picks v1.
"""

from __future__ import annotations

from typing import Any, Literal

from lxml import etree

from gateway.errors import BrugValidationError, Violation
from gateway.models.bev import BevCourseType, BevRecord, RaisedCapReason, RecognitionStatus
from gateway.models.common import Region
from gateway.models.header import MessageHeader
from gateway.models.parties import EducationLevel, Sector
from gateway.xml import schemas
from gateway.xml.binding import (
    Message,
    ModelBuilder,
    as_root,
    child,
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

Version = Literal[1, 2]

BEV_V1_NS = "urn:be:brug:brussels:bev-record:1"
BEV_V2_NS = "urn:be:brug:brussels:bev-record:2"
NAMESPACES: dict[int, str] = {1: BEV_V1_NS, 2: BEV_V2_NS}
SCHEMA_NAMES: dict[int, str] = {1: "bev-record-v1", 2: "bev-record-v2"}
ROOT = "messageCongeEducation"

#: Canonical title language when the wire does not say (v1, or v2 without langueIntitule).
DEFAULT_TITLE_LANGUAGE = "nl"

#: Raised-cap reasons a version's enumeration no longer has.
REMOVED_REASONS: dict[int, frozenset[RaisedCapReason]] = {
    1: frozenset(),
    2: frozenset({RaisedCapReason.LOW_EDUCATION}),
}

# --------------------------------------------------------------------------- vocabulary

REGIONS: dict[Region, str] = {
    Region.FLANDERS: "flandre",
    Region.BRUSSELS: "bruxelles",
    Region.WALLONIA: "wallonie",
    Region.GERMAN_SPEAKING: "communaute-germanophone",
}
EDUCATION_LEVELS: dict[EducationLevel, str] = {
    EducationLevel.LOW: "faible",
    EducationLevel.MEDIUM: "moyen",
    EducationLevel.HIGH: "eleve",
}
SECTORS: dict[Sector, str] = {Sector.PRIVATE: "prive", Sector.PUBLIC: "public"}
COURSE_TYPES: dict[BevCourseType, str] = {
    BevCourseType.PROFESSIONAL: "professionnelle",
    BevCourseType.GENERAL_UNION: "generale-syndicale",
    BevCourseType.UNIVERSITY: "universitaire",
    BevCourseType.PROFESSIONAL_BACHELOR: "bachelier-professionnalisant",
    BevCourseType.LANGUAGE: "langues",
}
RAISED_CAP_REASONS: dict[RaisedCapReason, str] = {
    RaisedCapReason.BOTTLENECK_OCCUPATION: "metier-en-penurie",
    RaisedCapReason.BASIC_EDUCATION: "enseignement-de-base",
    RaisedCapReason.FIRST_SECONDARY_DIPLOMA: "premier-diplome-secondaire",
    RaisedCapReason.LOW_EDUCATION: "faible-niveau-etudes",
    RaisedCapReason.NATIONAL_LANGUAGE: "langue-nationale",
    RaisedCapReason.SIGN_LANGUAGE: "langue-des-signes",
    RaisedCapReason.JOB_RELATED_LANGUAGE: "langue-liee-emploi",
}
RECOGNITION: dict[RecognitionStatus, str] = {
    RecognitionStatus.RECOGNISED: "reconnu",
    RecognitionStatus.TO_CONFIRM: "a-confirmer",
}


def _reverse(mapping: dict[Any, str]) -> dict[str, Any]:
    return {wire: canonical for canonical, wire in mapping.items()}


_FROM_WIRE: dict[str, dict[str, Any]] = {
    "region": _reverse(REGIONS),
    "education": _reverse(EDUCATION_LEVELS),
    "sector": _reverse(SECTORS),
    "course_type": _reverse(COURSE_TYPES),
    "reason": _reverse(RAISED_CAP_REASONS),
    "recognition": _reverse(RECOGNITION),
}


def _canon(kind: str, value: str | None) -> Any:
    """Wire value -> canonical enum (unknown values pass through: the model reports them)."""
    if value is None:
        return None
    return _FROM_WIRE[kind].get(value, value)


# --------------------------------------------------------------------------- writing


def fields_lost(record: BevRecord, version: Version) -> tuple[str, ...]:
    """Canonical fields whose value wire ``version`` cannot carry (for mapping reports)."""
    lost: list[str] = []
    if version == 1 and record.course_title_language != DEFAULT_TITLE_LANGUAGE:
        lost.append("course_title_language")
    return tuple(lost)


_LOW_LEVELS = frozenset({EducationLevel.LOW, EducationLevel.MEDIUM})


def derives_low_education(course_type: BevCourseType, education: EducationLevel | None) -> bool:
    """True where BEV v2 implies the 130 h raise: a professional course, low/medium education."""
    return course_type is BevCourseType.PROFESSIONAL and education in _LOW_LEVELS


def _v2_reason_problem(record: BevRecord) -> str | None:
    derivable = derives_low_education(record.course_type, record.worker.education_level)
    reason = record.raised_cap_reason
    if reason is RaisedCapReason.LOW_EDUCATION and not derivable:
        return (
            "BEV v2 no longer has raised-cap reason 'faible-niveau-etudes' and cannot derive it "
            "here (it needs a professional course and a low or medium education level)"
        )
    if reason is None and derivable:
        return (
            "BEV v2 derives the low-education raise for a professional course and a low or "
            "medium education level; a record without that raise cannot be written as v2"
        )
    return None


def writable_versions(record: BevRecord) -> tuple[Version, ...]:
    """The wire versions that carry ``record`` faithfully, newest first."""
    out: list[Version] = []
    for version in (2, 1):
        narrowed = version == 2 and _v2_reason_problem(record) is not None
        if not narrowed and not fields_lost(record, version):
            out.append(version)
    return tuple(out)


def best_version(record: BevRecord) -> Version:
    """The newest version that carries ``record`` without loss.

    v2 dropped a raised-cap reason and v1 lacks the title language, so some records fit only
    one of them; a record that fits neither raises the violations of v2 (the current version).
    """
    versions = writable_versions(record)
    if not versions:
        _check_writable(record, 2, allow_loss=False)
    return versions[0]


def _check_writable(record: BevRecord, version: Version, allow_loss: bool) -> None:
    violations: list[Violation] = []
    problem = _v2_reason_problem(record) if version == 2 else None
    if problem is not None:
        violations.append(
            Violation(
                "dossier.motifPlafondMajore",
                f"bev.v{version}.enumeration-narrowed",
                f"{problem}; send v1",
                str(record.raised_cap_reason),
            )
        )
    if not allow_loss:
        violations.extend(
            Violation(
                field,
                f"bev.v{version}.field-not-carried",
                f"BEV v{version} has no element for {field}; use v2 or allow_loss=True",
                str(getattr(record, field)),
            )
            for field in fields_lost(record, version)
        )
    if violations:
        raise BrugValidationError(violations, context=f"BEV record v{version}")


def to_xml(
    record: BevRecord,
    header: MessageHeader,
    version: Version = 2,
    *,
    allow_loss: bool = False,
) -> etree._Element:
    """``<messageCongeEducation>`` in BEV wire ``version`` (1 or 2).

    Raises BrugValidationError when the record cannot be written faithfully in that version
    (a v2-removed enumeration value; a field v1 lacks, unless ``allow_loss``).
    """
    if version not in NAMESPACES:
        raise ValueError(f"unknown BEV version {version}")
    _check_writable(record, version, allow_loss)
    ns = NAMESPACES[version]

    def q(local: str) -> str:
        return f"{{{ns}}}{local}"

    root = new_root(q(ROOT), ns, **{HEADER_PREFIX: HEADER_NS})
    append_header(root, header)
    d = sub(root, q("dossier"))
    sub(d, q("identifiantDossier"), record.record_id)
    sub(d, q("anneeScolaire"), record.school_year)
    worker = sub(d, q("travailleur"))
    sub(worker, q("niss"), record.worker.insz)
    if record.worker.education_level is not None:
        sub(worker, q("niveauEtudes"), EDUCATION_LEVELS[record.worker.education_level])
    opt(worker, q("isole"), record.worker.lives_alone)
    employer = sub(d, q("employeur"))
    sub(employer, q("numeroBce"), record.employer.kbo)
    sub(employer, q("denomination"), record.employer.name)
    sub(employer, q("secteur"), SECTORS[record.employer.sector])
    unit = sub(d, q("uniteEtablissement"))
    sub(unit, q("numero"), record.establishment_unit.number)
    sub(unit, q("region"), REGIONS[record.establishment_unit.region])
    opt(unit, q("codePostal"), record.establishment_unit.postcode)
    occupation = sub(d, q("occupation"))
    sub(occupation, q("fraction"), record.employment.fraction)
    sub(occupation, q("moisReference"), record.employment.reference_month)
    sub(d, q("referenceAgrement"), record.recognition_reference)
    opt(d, q("numeroOdb"), record.odb_number)
    sub(d, q("intituleFormation"), record.course_title)
    if version >= 2:
        sub(d, q("langueIntitule"), record.course_title_language)
    sub(d, q("typeFormation"), COURSE_TYPES[record.course_type])
    if record.raised_cap_reason is not None and not (
        version == 2 and record.raised_cap_reason in REMOVED_REASONS[2]
    ):  # v2 leaves the low-education raise to be derived from niveauEtudes
        sub(d, q("motifPlafondMajore"), RAISED_CAP_REASONS[record.raised_cap_reason])
    sub(d, q("bceOperateur"), record.provider_kbo)
    sub(d, q("reconnaissanceOperateur"), RECOGNITION[record.provider_recognition])
    sub(d, q("heuresContact"), record.contact_hours)
    sub(d, q("dateDebut"), record.start_date)
    sub(d, q("dateFin"), record.end_date)
    many(d, q("dateExamen"), record.exam_dates)
    sub(d, q("plafondHeures"), record.hours_cap)
    sub(d, q("heuresDejaUtilisees"), record.hours_already_used)
    sub(d, q("heuresRemboursables"), record.hours_claimable)
    sub(d, q("forfaitHoraireEur"), record.flat_rate_eur)
    sub(d, q("debutPeriodeRemboursement"), record.refund_window_start)
    sub(d, q("finPeriodeRemboursement"), record.refund_window_end)
    if record.source_region is not None:
        sub(d, q("regionOrigine"), REGIONS[record.source_region])
    opt(d, q("identifiantEnregistrementOrigine"), record.source_registration_id)
    return root


# --------------------------------------------------------------------------- reading


def version_of(root: etree._Element) -> Version:
    """1 or 2 from the root namespace; BrugValidationError for anything else."""
    qname = etree.QName(root)
    if qname.localname == ROOT and qname.namespace == BEV_V1_NS:
        return 1
    if qname.localname == ROOT and qname.namespace == BEV_V2_NS:
        return 2
    raise BrugValidationError(
        [
            Violation(
                "/" + qname.localname,
                "xml.root",
                f"expected {ROOT} in {BEV_V1_NS} or {BEV_V2_NS}",
                str(root.tag),
            )
        ],
        context="BEV record",
    )


def record_data(dossier: etree._Element, ns: str) -> dict[str, Any]:
    """Plain canonical data for :class:`BevRecord` from a ``<dossier>`` of namespace ``ns``."""

    def q(local: str) -> str:
        return f"{{{ns}}}{local}"

    data: dict[str, Any] = {}
    put(data, "record_id", text(dossier, q("identifiantDossier")))
    put(data, "school_year", text(dossier, q("anneeScolaire")))
    worker = child(dossier, q("travailleur"))
    if worker is not None:
        w: dict[str, Any] = {"insz": text(worker, q("niss"))}
        put(w, "education_level", _canon("education", text(worker, q("niveauEtudes"))))
        put(w, "lives_alone", text(worker, q("isole")))
        data["worker"] = w
    employer = child(dossier, q("employeur"))
    if employer is not None:
        data["employer"] = {
            "kbo": text(employer, q("numeroBce")),
            "name": text(employer, q("denomination")),
            "sector": _canon("sector", text(employer, q("secteur"))),
        }
    unit = child(dossier, q("uniteEtablissement"))
    if unit is not None:
        u: dict[str, Any] = {
            "number": text(unit, q("numero")),
            "region": _canon("region", text(unit, q("region"))),
        }
        put(u, "postcode", text(unit, q("codePostal")))
        data["establishment_unit"] = u
    occupation = child(dossier, q("occupation"))
    if occupation is not None:
        data["employment"] = {
            "fraction": text(occupation, q("fraction")),
            "reference_month": text(occupation, q("moisReference")),
        }
    put(data, "recognition_reference", text(dossier, q("referenceAgrement")))
    put(data, "odb_number", text(dossier, q("numeroOdb")))
    put(data, "course_title", text(dossier, q("intituleFormation")))
    put(data, "course_title_language", text(dossier, q("langueIntitule")))
    put(data, "course_type", _canon("course_type", text(dossier, q("typeFormation"))))
    reason = _canon("reason", text(dossier, q("motifPlafondMajore")))
    if reason is None and ns == BEV_V2_NS:
        course_type = _canon("course_type", text(dossier, q("typeFormation")))
        level = _canon("education", text(dossier, f"{q('travailleur')}/{q('niveauEtudes')}"))
        if isinstance(course_type, BevCourseType) and derives_low_education(
            course_type, level if isinstance(level, EducationLevel) else None
        ):
            reason = RaisedCapReason.LOW_EDUCATION
    put(data, "raised_cap_reason", reason)
    put(data, "provider_kbo", text(dossier, q("bceOperateur")))
    put(
        data,
        "provider_recognition",
        _canon("recognition", text(dossier, q("reconnaissanceOperateur"))),
    )
    for wire, field in (
        ("heuresContact", "contact_hours"),
        ("dateDebut", "start_date"),
        ("dateFin", "end_date"),
        ("plafondHeures", "hours_cap"),
        ("heuresDejaUtilisees", "hours_already_used"),
        ("heuresRemboursables", "hours_claimable"),
        ("forfaitHoraireEur", "flat_rate_eur"),
        ("debutPeriodeRemboursement", "refund_window_start"),
        ("finPeriodeRemboursement", "refund_window_end"),
        ("identifiantEnregistrementOrigine", "source_registration_id"),
    ):
        put(data, field, text(dossier, q(wire)))
    data["exam_dates"] = texts(dossier, q("dateExamen"))
    put(data, "source_region", _canon("region", text(dossier, q("regionOrigine"))))
    return data


def from_xml(
    document: etree._Element | bytes | str,
    *,
    limits: ParseLimits | None = None,
    schema_checked: bool = False,
) -> Message[BevRecord]:
    """Read a BEV message of either version (XSD of that version first, then the model).

    ``schema_checked``: the caller has just validated this element against a schema that
    includes the BEV schema of its version strictly (``gateway-service-v1`` does), so the same
    check is not run twice on the gateway's hot path.
    """
    root = as_root(document, limits)
    version = version_of(root)
    if not schema_checked:
        schemas.validate(SCHEMA_NAMES[version], root)
    ns = NAMESPACES[version]
    builder = ModelBuilder(f"BEV record v{version}")
    header = builder.build(MessageHeader, header_data(find_header(root)), "header")
    dossier = child(root, f"{{{ns}}}dossier")
    assert dossier is not None  # guaranteed by the schema
    record = builder.build(BevRecord, record_data(dossier, ns), "dossier")
    builder.raise_if_invalid()
    assert header is not None and record is not None
    return Message(header, record)
