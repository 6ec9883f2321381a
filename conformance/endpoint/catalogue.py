"""The case catalogue: YAML files testers extend without writing Python.

Why data and not pytest functions: the people who know which refusal their endpoint must give
are integration testers, not brug developers. A case names the rule it checks, the operation, a
golden request template with a few substitutions, how to sign or break it, and what the answer
must be. Everything is checked here, before anything is sent, so that a typo in a catalogue is
a clear error (exit 2) and never a "failing endpoint".
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from lxml import etree
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from conformance.endpoint.wsdl import WSDL_OPERATION, contract
from gateway.wssecurity import available_profiles
from gateway.xml import schemas

PACKAGE = Path(__file__).resolve().parents[1]
CASES_DIR = PACKAGE / "cases"
GOLDEN_DIR = PACKAGE / "golden"

#: Placeholders a template value may use; see :mod:`conformance.endpoint.templates`.
PLACEHOLDERS = frozenset({"message_id", "query_id", "dossier_id", "attest_number", "now", "today"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
DEFAULT_OVERSIZE = 11 * 1024 * 1024  # over brug's 10 MiB default server.max_body_bytes

SoapVersionName = Literal["1.1", "1.2"]
Ack = Literal["accepted", "rejected", "duplicate"]
MessageState = Literal["received", "validated", "delivered", "rejected", "failed", "unknown"]


class CatalogueError(ValueError):
    """A catalogue file is unreadable or inconsistent; the message lists every problem."""


def _as_tuple(value: Any) -> Any:
    """Accept one value or a list of values in YAML (``fault_code: wsse:FailedCheck``)."""
    if value is None or isinstance(value, list | tuple | set | frozenset):
        return value
    return [value]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequestSpec(_Model):
    """A golden template and the substitutions applied to it before signing."""

    template: str = Field(description="path under conformance/golden")
    set: dict[str, str] = Field(default_factory=dict, description="XPath -> value")
    soap_version: SoapVersionName = "1.1"


class QuerySpec(RequestSpec):
    """A follow-up request (``no_trace``): same as a request, plus the operation it calls."""

    operation: str


class NoTrace(_Model):
    query: QuerySpec
    expect: Literal["notFound", "unknown"]


class Mutate(_Model):
    """How the request is signed or broken (see docs/conformance.md, "Mutations")."""

    sign: bool | Literal["untrusted", "expired-timestamp"] = True
    tamper: Literal["body"] | None = None
    replay: bool = False
    raw: Literal["malformed", "xxe", "oversized"] | None = None
    header: dict[str, str] = Field(default_factory=dict)
    repeat: Literal["same-id"] | None = None
    size_bytes: int = Field(default=DEFAULT_OVERSIZE, gt=0)

    @model_validator(mode="after")
    def _one_scenario(self) -> Mutate:
        if self.replay and self.repeat:
            raise ValueError("replay (same bytes) and repeat (re-signed) exclude each other")
        if self.raw is not None and (self.tamper or self.replay or self.repeat):
            raise ValueError("a raw message cannot also be tampered, replayed or repeated")
        if self.tamper and self.sign is False:
            raise ValueError("tamper needs a signed message (sign: false has no signature)")
        return self


class Expect(_Model):
    """What the (last) answer must be; every field given is checked."""

    http_status: Annotated[frozenset[int] | None, BeforeValidator(_as_tuple)] = None
    fault_code: Annotated[tuple[str, ...] | None, BeforeValidator(_as_tuple)] = None
    fault_rule: str | None = None
    valid_response: bool = False
    acknowledgement: Ack | None = None
    message_status: MessageState | None = None
    same_answer_as_first: bool = False
    no_trace: NoTrace | None = None
    wsdl_matches: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> Expect:
        if self.fault_code and (self.valid_response or self.acknowledgement):
            raise ValueError("an answer cannot be both a fault and a valid response")
        if self.fault_rule and not self.fault_code:
            raise ValueError("fault_rule needs fault_code")
        checks = (
            self.http_status,
            self.fault_code,
            self.valid_response,
            self.acknowledgement,
            self.message_status,
            self.same_answer_as_first,
            self.no_trace,
            self.wsdl_matches,
        )
        if not any(checks):
            raise ValueError("a case must expect something")
        return self


class Case(_Model):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
    title: str = Field(min_length=1)
    rule: str = Field(min_length=1, description="the rule checked, e.g. WSS-3 / docs/x.md#y")
    operation: str
    caller: str | None = None
    request: RequestSpec | None = None
    mutate: Mutate = Field(default_factory=Mutate)
    expect: Expect
    #: Earlier cases this one is meaningless without: when one of them fails (or is skipped),
    #: this case is skipped "because <id> failed" instead of failing the same way again.
    needs: tuple[str, ...] = ()

    @property
    def needs_verified_answer(self) -> bool:
        """Whether an answer (or the follow-up query's) must verify with --trust/--peer-cert."""
        e = self.expect
        return bool(
            e.valid_response
            or e.acknowledgement
            or e.message_status
            or e.no_trace
            or e.same_answer_as_first
        )

    @model_validator(mode="after")
    def _request_when_needed(self) -> Case:
        if self.operation == WSDL_OPERATION:
            if not self.expect.wsdl_matches:
                raise ValueError(f"operation {WSDL_OPERATION} checks expect.wsdl_matches")
        elif self.request is None:
            raise ValueError("a SOAP case needs a request")
        if self.expect.same_answer_as_first and not (self.mutate.repeat or self.mutate.replay):
            raise ValueError("same_answer_as_first needs mutate.repeat or mutate.replay")
        return self


class CallerSpec(_Model):
    profile: str = Field(description="WS-Security profile this caller signs and is answered with")


class Defaults(_Model):
    set: dict[str, str] = Field(default_factory=dict)


class Catalogue(_Model):
    service: str
    response_schema: str
    namespaces: dict[str, str]
    callers: dict[str, CallerSpec]
    default_caller: str
    defaults: Defaults = Field(default_factory=Defaults)
    cases: tuple[Case, ...]

    def caller_of(self, case: Case) -> str:
        return case.caller or self.default_caller

    def select(self, ids: list[str] | tuple[str, ...]) -> tuple[Case, ...]:
        """The cases with these ids (catalogue order); KeyError names the unknown ones."""
        if not ids:
            return self.cases
        known = {c.id for c in self.cases}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise KeyError(f"unknown case id(s): {', '.join(unknown)}")
        return tuple(c for c in self.cases if c.id in set(ids))


# --------------------------------------------------------------------------- consistency


def _requests(case: Case) -> list[RequestSpec]:
    found = [case.request] if case.request is not None else []
    if case.expect.no_trace is not None:
        found.append(case.expect.no_trace.query)
    return found


def _check_values(where: str, values: dict[str, str], ns: dict[str, str], out: list[str]) -> None:
    for path, value in values.items():
        try:
            etree.XPath(path, namespaces=ns)
        except etree.XPathSyntaxError as exc:
            out.append(f"{where}: set path {path!r} is not valid XPath ({exc})")
        for name in _PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                known = ", ".join(sorted(PLACEHOLDERS))
                out.append(f"{where}: unknown placeholder {{{name}}} (known: {known})")


def _problems(cat: Catalogue, expected_service: str | None) -> list[str]:
    """Cross-field checks pydantic cannot see: WSDL, schemas, files, profiles, ids."""
    out: list[str] = []
    if expected_service is not None and cat.service != expected_service:
        out.append(f"service is {cat.service!r}, expected {expected_service!r}")
    if cat.service not in schemas.wsdls():
        out.append(f"service {cat.service!r} is not a WSDL of schemas/catalog.toml")
        return out
    if cat.response_schema not in schemas.catalog():
        out.append(f"response_schema {cat.response_schema!r} is not in schemas/catalog.toml")
    operations = contract(cat.service).operations
    profiles = set(available_profiles())
    for name, caller in cat.callers.items():
        if caller.profile not in profiles:
            out.append(f"callers.{name}: unknown profile {caller.profile!r}")
    if cat.default_caller not in cat.callers:
        out.append(f"default_caller {cat.default_caller!r} is not in callers")
    _check_values("defaults", cat.defaults.set, cat.namespaces, out)
    seen: set[str] = set()
    for case in cat.cases:
        where = f"case {case.id}"
        if case.id in seen:
            out.append(f"{where}: duplicate id")
        seen.add(case.id)
        if case.operation != WSDL_OPERATION and case.operation not in operations:
            out.append(f"{where}: operation {case.operation!r} is not in {cat.service}")
        if case.caller is not None and case.caller not in cat.callers:
            out.append(f"{where}: caller {case.caller!r} is not in callers")
        if case.expect.no_trace and case.expect.no_trace.query.operation not in operations:
            out.append(f"{where}: no_trace operation is not in {cat.service}")
        for spec in _requests(case):
            if not (GOLDEN_DIR / spec.template).is_file():
                out.append(f"{where}: template {spec.template!r} not found under golden/")
            _check_values(where, spec.set, cat.namespaces, out)
        _check_values(where, case.mutate.header, {}, out)
        for needed in case.needs:
            if needed not in seen - {case.id}:
                out.append(f"{where}: needs {needed!r}, which is not an earlier case")
    return out


def _format(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top)"
        lines.append(f"{where}: {item['msg']}")
    return lines


def load_catalogue_file(path: Path, service: str | None = None) -> Catalogue:
    """Read and check a catalogue; :class:`CatalogueError` lists every problem found."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read the catalogue: {exc}") from None
    try:
        cat = Catalogue.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(f"{path}:\n  " + "\n  ".join(_format(exc))) from None
    problems = _problems(cat, service)
    if problems:
        raise CatalogueError(f"{path}:\n  " + "\n  ".join(problems))
    return cat


def catalogue_path(service: str) -> Path:
    return CASES_DIR / f"{service}.yaml"


@cache
def load_catalogue(service: str) -> Catalogue:
    """The catalogue shipped for ``service`` (a WSDL name of schemas/catalog.toml)."""
    path = catalogue_path(service)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CASES_DIR.glob("*.yaml")))
        raise CatalogueError(f"no catalogue for service {service!r} (known: {known})")
    return load_catalogue_file(path, service)
