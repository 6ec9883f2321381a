"""RFC 9457 problem details in the Belgif REST guide's types: how the REST API says no.

Every refusal of a ``/v1`` operation is ``application/problem+json`` with a ``type`` URN a
client branches on (never the ``title`` or ``detail`` text):

* the Belgif problem types (``urn:problem-type:belgif:badRequest``, ``invalidAccessToken``,
  ``missingScope``, ``resourceNotFound``, ``serviceUnavailable``...), with their ``href`` to
  the guide and the status the guide gives them;
* brug's own problem types (``urn:problem-type:brug:<name>``) only where the guide has none
  (a conflict on the outbox, an Idempotency-Key reused for another body);
* bad input is always 400 ``badRequest`` listing every broken rule in ``issues[]``: the
  Belgif issue types for what the OpenAPI document already says (``schemaViolation``,
  ``unknownInput``) and brug's rules as ``urn:problem-type:brug:input-validation:<rule>``
  (``insz.checksum``, ``route.not-brussels``...), each with an ``href`` to its entry in
  ``docs/problems.md``.

An issue's ``value`` never holds an INSZ in full: values under an INSZ property are masked, and
INSZ-looking numbers in any other value are redacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.errors import Violation
from gateway.identifiers.insz import mask_insz
from gateway.observability.redaction import redact_insz
from gateway.service.rest.resources import rest_path

MEDIA_TYPE = "application/problem+json"
BELGIF = "urn:problem-type:belgif:"
BELGIF_ISSUE = "urn:problem-type:belgif:input-validation:"
BRUG = "urn:problem-type:brug:"
BRUG_ISSUE = "urn:problem-type:brug:input-validation:"
BELGIF_GUIDE = "https://www.belgif.be/specification/rest/api-guide/"
#: Where brug's own problem and issue types are described, one anchor per type. The repository
#: has no public address of its own, so the reference is relative to the repository root.
PROBLEMS_DOC = "docs/problems.md"

#: Properties whose value is an INSZ / NISS: masked whole in an issue's ``value``.
SENSITIVE_NAMES = frozenset({"insz", "ssin"})


@dataclass(frozen=True, slots=True)
class ProblemType:
    name: str
    status: int
    title: str
    belgif: bool = True

    @property
    def uri(self) -> str:
        return f"{BELGIF if self.belgif else BRUG}{self.name}"

    @property
    def href(self) -> str:
        if self.belgif:
            return f"{BELGIF_GUIDE}problems/{self.name}.html"
        return f"{PROBLEMS_DOC}#{anchor(self.name)}"


BAD_REQUEST = ProblemType("badRequest", 400, "Bad Request")
NO_ACCESS_TOKEN = ProblemType("noAccessToken", 401, "No Access Token")
INVALID_ACCESS_TOKEN = ProblemType("invalidAccessToken", 401, "Invalid Access Token")
MISSING_SCOPE = ProblemType("missingScope", 403, "Missing Scope")
RESOURCE_NOT_FOUND = ProblemType("resourceNotFound", 404, "Resource Not Found")
PAYLOAD_TOO_LARGE = ProblemType("payloadTooLarge", 413, "Payload Too Large")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupportedMediaType", 415, "Unsupported Media Type")
INTERNAL_SERVER_ERROR = ProblemType("internalServerError", 500, "Internal Server Error")
SERVICE_UNAVAILABLE = ProblemType("serviceUnavailable", 503, "Service Unavailable")
#: brug's own: the guide has no type for these.
IDEMPOTENCY_KEY_REUSED = ProblemType(
    "idempotencyKeyReused", 422, "Idempotency-Key Reused", belgif=False
)
IDEMPOTENCY_IN_PROGRESS = ProblemType(
    "idempotencyRequestInProgress", 409, "Request In Progress", belgif=False
)
OUTBOX_ENTRY_NOT_RETRYABLE = ProblemType(
    "outboxEntryNotRetryable", 409, "Outbox Entry Not Retryable", belgif=False
)
REQUEST_HEADERS_TOO_LARGE = ProblemType(
    "requestHeaderFieldsTooLarge", 431, "Request Header Fields Too Large", belgif=False
)

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    BAD_REQUEST,
    NO_ACCESS_TOKEN,
    INVALID_ACCESS_TOKEN,
    MISSING_SCOPE,
    RESOURCE_NOT_FOUND,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    INTERNAL_SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    IDEMPOTENCY_KEY_REUSED,
    IDEMPOTENCY_IN_PROGRESS,
    OUTBOX_ENTRY_NOT_RETRYABLE,
    REQUEST_HEADERS_TOO_LARGE,
)

# --------------------------------------------------------------------------- issue types

#: The Belgif issue types brug uses for what the OpenAPI document itself says.
SCHEMA_VIOLATION = "schemaViolation"
UNKNOWN_INPUT = "unknownInput"
_BELGIF_ISSUE_TITLES = {
    SCHEMA_VIOLATION: "Input isn't valid with respect to schema",
    UNKNOWN_INPUT: "Unknown input",
}

#: brug's own input-validation rules a REST client can meet, with the title of each issue type.
#: docs/problems.md has one entry per rule (tests/service/rest/test_problems.py checks it).
BRUG_RULES: dict[str, str] = {
    "insz.length": "INSZ has the wrong length",
    "insz.format": "INSZ is not 11 digits",
    "insz.checksum": "INSZ check digits are wrong",
    "insz.birth-date": "INSZ holds no valid birth date",
    "insz.invalid": "INSZ is not valid",
    "kbo.length": "Enterprise number has the wrong length",
    "kbo.format": "Enterprise number is not 10 digits starting with 0 or 1",
    "kbo.checksum": "Enterprise number check digits are wrong",
    "establishment.format": "Establishment unit number is not 10 digits starting with 2-8",
    "establishment.checksum": "Establishment unit number check digits are wrong",
    "route.not-brussels": "Not a Brussels establishment unit: the record stays in VOV",
    "mapping.course-mismatch": "The embedded course is not the registration's course",
    "crosswalk.unknown-course": "No BEE recognition reference for this ODB course",
    "prior-use.out-of-range": "Hours already used are out of range",
    "rules.unknown-school-year": "No rule data for this school year",
    "rules.unknown-scheme": "No rule data for this scheme",
    "rules.missing-value": "The rule data lacks a value",
    "course.unknown": "The ODB course is not in the catalogue",
    "course.required": "An ODB number or a course is needed",
    "course.mismatch": "The ODB number and the course differ",
    "path.mismatch": "The body is not the resource the path names",
    "duration.invalid": "Not a positive age such as 30d",
    "idempotency.key-missing": "Idempotency-Key header missing",
    "idempotency.key-invalid": "Idempotency-Key header malformed",
    "idempotency.key-reused": "Idempotency-Key already used for another request",
    "json.well-formed": "Not well-formed JSON",
    "json.depth": "JSON nested too deeply",
    "text.xml-char": "A character XML cannot carry",
    "bulk.line-too-long": "A bulk line is too long",
    "bulk.line-object": "A bulk line is not a JSON object",
    "bulk.not-stored": "The gateway could not store this line",
    "bulk.max-lines": "The bulk request reached its line budget",
    "bulk.max-rejected": "The bulk request reached its budget of rejected lines",
    "bulk.max-seconds": "The bulk request reached its time budget",
    "request.invalid": "The request is not valid",
    "school-year.format": "Not a school year written YYYY-YYYY",
}


def anchor(name: str) -> str:
    """The anchor of ``name``'s entry in docs/problems.md: the name itself (each entry starts
    with ``<a id="<name>"></a>``, so the anchor does not depend on a renderer's heading rules)."""
    return name


def issue_type(rule: str) -> tuple[str, str, str]:
    """(type URN, href, title) of the issue for a brug violation rule."""
    if rule == "type.extra_forbidden":
        name = UNKNOWN_INPUT
    elif rule.startswith("type."):
        name = SCHEMA_VIOLATION
    else:
        title = BRUG_RULES.get(rule, "Invalid input")
        return f"{BRUG_ISSUE}{rule}", f"{PROBLEMS_DOC}#{anchor(rule)}", title
    return (
        f"{BELGIF_ISSUE}{name}",
        f"{BELGIF_GUIDE}issues/{name}.html",
        _BELGIF_ISSUE_TITLES[name],
    )


Location = Literal["body", "query", "path", "header"]


def shown_value(name: str, value: str | None) -> str | None:
    """``value`` as an issue may show it: an INSZ masked, long values cut."""
    if value is None:
        return None
    last = name.replace("]", "").replace("[", ".").rsplit(".", 1)[-1].lower()
    if last in SENSITIVE_NAMES:
        # masked once already when brug's validation made the violation: keep its last digits
        return value if value.startswith("*") else mask_insz(value)
    text = redact_insz(value)
    return text if len(text) <= 80 else text[:77] + "..."


def issue(
    rule: str, detail: str, *, location: Location, name: str, value: str | None = None
) -> dict[str, Any]:
    """One entry of ``issues[]`` (Belgif: type, href, title, detail, in, name, value)."""
    type_, href, title = issue_type(rule)
    out: dict[str, Any] = {
        "type": type_,
        "href": href,
        "title": title,
        "detail": redact_insz(detail),
        "in": location,
        "name": name,
    }
    shown = shown_value(name, value)
    if shown is not None:
        out["value"] = shown
    return out


def located(path: str) -> tuple[Location, str]:
    """Where a violation's path points: ``query.x``, ``header.X``, ``path.x``, else the body."""
    head, _, rest = path.partition(".")
    if rest and head in ("query", "header", "path"):
        return head, rest  # type: ignore[return-value]
    if path in ("", "/", "body"):
        return "body", ""
    return "body", path.removeprefix("body.")


def issues_of(
    violations: tuple[Violation, ...] | list[Violation], *, rename: bool = True
) -> list[dict[str, Any]]:
    """Violations as issues; with ``rename`` their canonical paths become REST names
    (``establishment_unit.number`` → ``establishmentUnit.establishmentUnitNumber``)."""
    out = []
    for violation in violations:
        location, name = located(violation.path)
        if rename and location != "header":
            name = rest_path(name)
        out.append(
            issue(
                violation.rule,
                violation.message,
                location=location,
                name=name,
                value=violation.value,
            )
        )
    return out


KEY_REUSED = "this Idempotency-Key was already used for a different request body"


def key_reused() -> dict[str, Any]:
    """The 422 for an Idempotency-Key reused with another body (answered and documented)."""
    return problem(
        IDEMPOTENCY_KEY_REUSED,
        KEY_REUSED,
        issues=[
            issue("idempotency.key-reused", KEY_REUSED, location="header", name="Idempotency-Key")
        ],
    )


def problem(kind: ProblemType, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem body of ``kind``: type, href, title, status, detail and ``extra`` members."""
    body: dict[str, Any] = {
        "type": kind.uri,
        "href": kind.href,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def bad_request(
    violations: tuple[Violation, ...] | list[Violation],
    detail: str = "The input message is incorrect",
) -> dict[str, Any]:
    return problem(BAD_REQUEST, detail, issues=issues_of(violations))


# --------------------------------------------------------------------------- OpenAPI models

_PROBLEM_CONFIG = ConfigDict(
    frozen=True, extra="allow", serialize_by_alias=True, validate_by_name=True
)


class Problem(BaseModel):
    """RFC 9457 problem details, as the Belgif REST guide uses them."""

    model_config = _PROBLEM_CONFIG

    type: str = Field(
        description="URN of the problem type; clients branch on it",
        examples=["urn:problem-type:belgif:resourceNotFound"],
    )
    href: str | None = Field(default=None, description="documentation of the problem type")
    title: str = Field(description="short summary of the problem type")
    status: int = Field(ge=400, le=599, description="the HTTP status code")
    detail: str | None = Field(default=None, description="this occurrence, for humans")
    instance: str | None = Field(default=None, description="URI of this occurrence")


class InputValidationIssue(BaseModel):
    """One broken rule of a 400 ``badRequest``."""

    model_config = _PROBLEM_CONFIG

    type: str = Field(
        description="urn:problem-type:belgif:input-validation:schemaViolation, ...unknownInput, "
        "or brug's urn:problem-type:brug:input-validation:<rule>",
        examples=["urn:problem-type:brug:input-validation:insz.checksum"],
    )
    href: str | None = None
    title: str | None = None
    detail: str | None = None
    in_: Location = Field(alias="in", description="where the input is")
    name: str = Field(description="the input's name; a dotted path into a body")
    value: str | None = Field(
        default=None, description="the value given (an INSZ only masked, never in full)"
    )


class InputValidationProblem(Problem):
    """400 ``urn:problem-type:belgif:badRequest``: every broken rule in ``issues``."""

    issues: list[InputValidationIssue]


class MissingScopeProblem(Problem):
    """403 ``urn:problem-type:belgif:missingScope``."""

    requiredScopes: list[str] = Field(description="any one of these scopes is enough")  # noqa: N815


class ServiceUnavailableProblem(Problem):
    """503 ``urn:problem-type:belgif:serviceUnavailable``; retry after ``Retry-After``."""

    retryAfterSec: int | None = Field(  # noqa: N815
        default=None, description="seconds to wait, as the Retry-After header says"
    )


__all__ = [
    "BAD_REQUEST",
    "BRUG_RULES",
    "MEDIA_TYPE",
    "PROBLEMS_DOC",
    "PROBLEM_TYPES",
    "InputValidationIssue",
    "InputValidationProblem",
    "MissingScopeProblem",
    "Problem",
    "ProblemType",
    "ServiceUnavailableProblem",
    "bad_request",
    "issue",
    "issues_of",
    "problem",
]
