"""The canonical records as the REST API writes them: lowerCamelCase, Belgif identifier names.

brug's canonical models (:mod:`gateway.models`) keep their Python names; on the REST API every
property is lowerCamelCase and the identifiers carry the names and formats of the Belgif
REST guide's shared types:

=========================  ===========================  =====================================
canonical                  REST                         Belgif type
=========================  ===========================  =====================================
``insz``                   ``ssin``                     ``Ssin`` (person identifier), 11 digits
``kbo``                    ``enterpriseNumber``         ``EnterpriseNumber``, 10 digits, 0/1...
``provider_kbo``           ``providerEnterpriseNumber`` ``EnterpriseNumber``
``establishment_unit``     ``establishmentUnit.`` +     ``EstablishmentUnitNumber``, 10 digits,
``.number``                ``establishmentUnitNumber``  2-8...
``period.begin``/``end``   ``startDate``/``endDate``    ``Period``
=========================  ===========================  =====================================

The Belgif types are re-declared here (pattern and description), not vendored: their OpenAPI
files are at https://github.com/belgif/openapi-person-identifier,
https://github.com/belgif/openapi-organization-identifier and
https://github.com/belgif/openapi-time. brug's own checks (INSZ and KBO check digits...) run on
top of the pattern, with their own issue types (docs/problems.md).

The classes below subclass the canonical ones (same validators, so a REST ``VovRegistration``
*is* a :class:`gateway.models.VovRegistration`) with the REST names as aliases; Python names are
accepted on input too (``validate_by_name``). Canonical data goes out through
:func:`rest_json`, which renames the keys of a canonical model's JSON the same way, leaving out
null values.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from gateway import models
from gateway.models.common import RECORD_CONFIG
from gateway.models.common import EstablishmentUnitNumber as _EstablishmentUnitNumber
from gateway.models.common import Insz as _Insz
from gateway.models.common import Kbo as _Kbo

M = TypeVar("M", bound=BaseModel)

#: Canonical property names whose REST name is not simply their lowerCamelCase form.
RENAMES: dict[str, str] = {
    "insz": "ssin",
    "kbo": "enterpriseNumber",
    "provider_kbo": "providerEnterpriseNumber",
    "number": "establishmentUnitNumber",  # only EstablishmentUnit has a plain ``number``
    "begin": "startDate",
    "end": "endDate",
}


def rest_name(name: str) -> str:
    """The REST property name of a canonical (snake_case) property name; a REST name is
    returned as it is."""
    return RENAMES.get(name) or to_camel(name)


def rest_path(path: str) -> str:
    """A dotted canonical path (``registration.establishment_unit.region``, ``prior_use[0]``)
    with every property renamed (``registration.establishmentUnit.region``)."""
    out = []
    for part in path.split("."):
        head, bracket, rest = part.partition("[")
        out.append(rest_name(head) + bracket + rest if head else part)
    return ".".join(out)


def rest_json(data: Any) -> Any:
    """Canonical JSON (``model_dump(mode="json")``) with REST property names, nulls left out."""
    if isinstance(data, Mapping):
        return {rest_name(str(k)): rest_json(v) for k, v in data.items() if v is not None}
    if isinstance(data, list | tuple):
        return [rest_json(v) for v in data]
    return data


def canonical(record: M) -> M:
    """The canonical record behind a REST one (same values, the :mod:`gateway.models` classes),
    without validating again. Canonical code compares and maps canonical classes only (pydantic
    equality includes the class), so a REST instance never goes further than the route."""
    return _canonical(record)  # type: ignore[no-any-return]


def _may_nest(annotation: Any) -> bool:
    """Whether a field of this type can hold a model (directly or in a tuple/union)."""
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel | tuple)
    return any(_may_nest(arg) for arg in get_args(annotation))


@cache
def _canonical_class(cls: type[BaseModel]) -> tuple[type[BaseModel], tuple[str, ...], bool]:
    """(canonical class, its fields that may hold models, whether a copy of ``__dict__``
    builds it)."""
    canon: type[BaseModel] = next(
        c
        for c in cls.__mro__
        if issubclass(c, BaseModel) and c.__module__.startswith("gateway.models.")
    )
    nested = tuple(n for n, f in cls.model_fields.items() if _may_nest(f.annotation))
    plain = (
        canon.__pydantic_post_init__ is None
        and not canon.__private_attributes__
        and set(cls.model_fields) == set(canon.model_fields)
    )
    return canon, nested, plain


_NESTING = (BaseModel, tuple)


def _canonical(value: Any) -> Any:
    if isinstance(value, BaseModel):
        cls, nested, plain = _canonical_class(type(value))
        fields = dict(value.__dict__)  # the scalars as they are; models and tuples converted
        for name in nested:
            if isinstance(inner := fields[name], _NESTING):
                fields[name] = _canonical(inner)
        if not plain:
            return cls.model_construct(_fields_set=set(value.model_fields_set), **fields)
        # What model_construct does for a class without private attributes or post-init,
        # without its per-field default handling (every field is given): this runs for every
        # nested record of every registration of a bulk file.
        out = cls.__new__(cls)
        object.__setattr__(out, "__dict__", fields)
        object.__setattr__(out, "__pydantic_fields_set__", set(value.model_fields_set))
        object.__setattr__(out, "__pydantic_extra__", None)
        object.__setattr__(out, "__pydantic_private__", None)
        return out
    if isinstance(value, tuple):
        return tuple(_canonical(v) for v in value)
    return value


def record_json(record: BaseModel) -> Any:
    """A canonical record as the REST API shows it."""
    return rest_json(record.model_dump(mode="json", exclude_none=True))


#: Records keep dumping their Python names by default (canonical code stores and maps them);
#: the REST body asks for the aliases (``by_alias=True``) or goes through :func:`record_json`.
REST_CONFIG = ConfigDict(
    **RECORD_CONFIG,
    alias_generator=rest_name,
    validate_by_name=True,
    validate_by_alias=True,
)
#: The configuration of the REST API's own (non-record) models: camelCase out, nulls omitted
#: by whoever dumps them (:func:`gateway.service.rest.schemas.dump`).
OUT_CONFIG = ConfigDict(
    frozen=True,
    alias_generator=rest_name,
    validate_by_name=True,
    serialize_by_alias=True,
)

_BELGIF = "Belgif type {} (re-declared; {})."
Ssin = Annotated[
    _Insz,
    Field(
        pattern=r"^\d{11}$",
        description="INSZ / NISS or BIS number, 11 digits. "
        + _BELGIF.format("Ssin", "https://github.com/belgif/openapi-person-identifier"),
        examples=["85071412330"],
    ),
]
EnterpriseNumber = Annotated[
    _Kbo,
    Field(
        pattern=r"^[01]\d{9}$",
        description="KBO / BCE enterprise number, 10 digits. "
        + _BELGIF.format(
            "EnterpriseNumber", "https://github.com/belgif/openapi-organization-identifier"
        ),
        examples=["0403170701"],
    ),
]
EstablishmentUnitNumber = Annotated[
    _EstablishmentUnitNumber,
    Field(
        pattern=r"^[2-8]\d{9}$",
        description="Establishment unit number (vestigingseenheid), 10 digits. "
        + _BELGIF.format(
            "EstablishmentUnitNumber",
            "https://github.com/belgif/openapi-organization-identifier",
        ),
        examples=["2123456791"],
    ),
]


class Period(models.Period):
    """A period of days. Belgif type Period (re-declared; https://github.com/belgif/openapi-time):
    ``startDate`` and an optional ``endDate`` (open-ended without), both included."""

    model_config = REST_CONFIG


class Worker(models.Worker):
    """The employee: the INSZ (``ssin``) and the facts the rules depend on."""

    model_config = REST_CONFIG

    insz: Ssin


class Employer(models.Employer):
    model_config = REST_CONFIG

    kbo: EnterpriseNumber


class EstablishmentUnit(models.EstablishmentUnit):
    """The unit declared in the DmfA; its region decides the scheme (VOV or BEV)."""

    model_config = REST_CONFIG

    number: EstablishmentUnitNumber


class Employment(models.Employment):
    model_config = REST_CONFIG


class PriorUse(models.PriorUse):
    model_config = REST_CONFIG


class VovRegistration(models.VovRegistration):
    """A Flemish VOV registration (opleidingsverlof): enrolment attest and employer data."""

    model_config = REST_CONFIG

    worker: Worker
    employer: Employer
    establishment_unit: EstablishmentUnit
    employment: Employment
    provider_kbo: EnterpriseNumber
    prior_use: tuple[PriorUse, ...] = ()


class Volume(models.Volume):
    model_config = REST_CONFIG


class IncentiveFlags(models.IncentiveFlags):
    model_config = REST_CONFIG


class Provider(models.Provider):
    model_config = REST_CONFIG

    kbo: EnterpriseNumber


class CourseModule(models.CourseModule):
    model_config = REST_CONFIG

    volume: Volume


class OdbCourse(models.OdbCourse):
    """A course of the Flemish course database (ODB, opleidingsdatabank)."""

    model_config = REST_CONFIG

    provider: Provider
    volume: Volume
    modules: tuple[CourseModule, ...] = ()
    incentives: IncentiveFlags


class BevRecord(models.BevRecord):
    """A Brussels paid-educational-leave (BEV, congé-éducation payé) record."""

    model_config = REST_CONFIG

    worker: Worker
    employer: Employer
    establishment_unit: EstablishmentUnit
    employment: Employment
    provider_kbo: EnterpriseNumber


class CodeValue(models.CodeValue):
    model_config = REST_CONFIG


class CareerBreakRecord(models.CareerBreakRecord):
    """A career break (time credit) as the federal service (MAGDA) records it."""

    model_config = REST_CONFIG

    insz: Ssin
    period: Period
    category: CodeValue
    regime: CodeValue | None = None
    reduction: CodeValue
    reason: CodeValue | None = None
    contract: CodeValue | None = None


class RuleCheck(models.RuleCheck):
    model_config = REST_CONFIG


class VovDecision(models.VovDecision):
    """The Flemish decision on a VOV registration: every rule with its result and source."""

    model_config = REST_CONFIG

    insz: Ssin
    checks: tuple[RuleCheck, ...]


class VokMonth(models.VokMonth):
    """The VOK decision for one calendar month: the premium is monthly."""

    model_config = REST_CONFIG

    failed: tuple[RuleCheck, ...] = ()


class VokDecision(models.VokDecision):
    """May the worker get the Flemish VOK premium (vlaams opleidingskrediet)? Every rule
    checked is listed, passed or not, and every month of the period is decided."""

    model_config = REST_CONFIG

    insz: Ssin
    period: Period
    checks: tuple[RuleCheck, ...]
    months: tuple[VokMonth, ...] = ()


__all__ = [
    "OUT_CONFIG",
    "RENAMES",
    "REST_CONFIG",
    "BevRecord",
    "CareerBreakRecord",
    "EnterpriseNumber",
    "EstablishmentUnitNumber",
    "OdbCourse",
    "Period",
    "Ssin",
    "VokDecision",
    "VokMonth",
    "VovDecision",
    "VovRegistration",
    "canonical",
    "record_json",
    "rest_json",
    "rest_name",
    "rest_path",
]
