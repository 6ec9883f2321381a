"""The golden corpus: messages every implementation of brug's schemas must agree on.

Per schema (``conformance/golden/<schema>/``): ``valid/*.xml`` must validate, ``invalid/*.xml``
must be refused with the rule ``golden.yaml`` names (and, when given, that text in one violation
message and that number of violations). A file not listed in the manifest, or listed but
missing, is an error too: an unexplained golden message teaches nothing.

Run ``python -m conformance.endpoint`` to check the corpus (exit 1 when it disagrees).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from conformance.endpoint.catalogue import GOLDEN_DIR
from gateway.errors import BrugValidationError, Violation
from gateway.xml import schemas
from gateway.xml.safe_parser import parse_xml

MANIFEST = "golden.yaml"


class InvalidEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    message: str | None = None
    why: str | None = None
    count: int | None = Field(default=None, gt=0)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_name: str = Field(alias="schema")
    valid: dict[str, str]
    invalid: dict[str, InvalidEntry] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GoldenResult:
    schema: str
    path: Path
    expected_valid: bool
    ok: bool
    detail: str


def violations_of(schema: str, data: bytes) -> list[Violation]:
    """Every violation of a document (hardened parse, then XSD); empty when valid."""
    try:
        schemas.validate(schema, parse_xml(data))
    except BrugValidationError as exc:  # UnsafeXmlError is one too
        return list(exc.violations)
    return []


def _check_invalid(schema: str, path: Path, entry: InvalidEntry) -> GoldenResult:
    found = violations_of(schema, path.read_bytes())
    rules = sorted({v.rule for v in found})
    problems = []
    if entry.rule not in rules:
        problems.append(f"expected rule {entry.rule}, got {rules or 'none (valid)'}")
    if entry.message and not any(entry.message in v.message for v in found):
        problems.append(f"no violation message mentions {entry.message!r}")
    if entry.count is not None and len(found) != entry.count:
        problems.append(f"{len(found)} violation(s), expected {entry.count}")
    detail = "; ".join(problems) or f"refused: {', '.join(rules)}"
    return GoldenResult(schema, path, False, not problems, detail)


def _check_dir(directory: Path) -> list[GoldenResult]:
    manifest_path = directory / MANIFEST
    try:
        manifest = Manifest.model_validate(yaml.safe_load(manifest_path.read_text("utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        return [GoldenResult(directory.name, manifest_path, True, False, f"bad manifest: {exc}")]
    schema = manifest.schema_name
    results: list[GoldenResult] = []
    listed = {("valid", n) for n in manifest.valid} | {("invalid", n) for n in manifest.invalid}
    present = {
        (kind, p.name) for kind in ("valid", "invalid") for p in (directory / kind).glob("*.xml")
    }
    for kind, name in sorted(present - listed):
        path = directory / kind / name
        results.append(GoldenResult(schema, path, kind == "valid", False, "not in golden.yaml"))
    for kind, name in sorted(listed - present):
        path = directory / kind / name
        results.append(GoldenResult(schema, path, kind == "valid", False, "listed but missing"))
    for name in sorted(manifest.valid):
        path = directory / "valid" / name
        if path.is_file():
            found = violations_of(schema, path.read_bytes())
            detail = "; ".join(f"[{v.rule}] {v.message}" for v in found[:3]) or "valid"
            results.append(GoldenResult(schema, path, True, not found, detail))
    for name, entry in sorted(manifest.invalid.items()):
        path = directory / "invalid" / name
        if path.is_file():
            results.append(_check_invalid(schema, path, entry))
    return results


def corpus_dirs(root: Path = GOLDEN_DIR) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def check_corpus(root: Path = GOLDEN_DIR) -> list[GoldenResult]:
    """Check every schema directory of the corpus."""
    results: list[GoldenResult] = []
    for directory in corpus_dirs(root):
        results.extend(_check_dir(directory))
    return results


def main() -> int:
    started = time.perf_counter()
    results = check_corpus()
    for r in results:
        if not r.ok:
            print(f"FAIL {r.path.relative_to(GOLDEN_DIR)}: {r.detail}")
    bad = sum(1 for r in results if not r.ok)
    took = time.perf_counter() - started
    print(f"{len(results)} golden messages, {bad} disagreeing ({took:.2f}s)")
    return 1 if bad else 0
