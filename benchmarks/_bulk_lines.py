"""The bulk benchmarks' lines and their same-run baseline, the mapping alone.

Shared by ``benchmarks/gateway.py`` (its bulk row, over HTTP) and ``benchmarks/bulk_batch.py``
(bulk intake's two steps in-process), so that both measure the same lines against the same
baseline.
"""

from __future__ import annotations

import json
import time
from typing import Any

from adapters.brussels.crosswalk import Crosswalk
from adapters.brussels.mapping import vov_to_bev
from gateway.demo.sample import Sample, generate
from gateway.errors import BrugValidationError
from gateway.models import OdbCourse, VovRegistration
from gateway.rules.ruledata import RuleBook
from gateway.service.rest.resources import rest_json
from gateway.validation import parse_model


def sample() -> Sample:
    """The registrations every bulk line is made from (2,000, about a tenth defective)."""
    return generate(2000, seed=7)


def bulk_line(source: Sample, i: int) -> bytes:
    """Line ``i`` of a bulk file (without its newline): a registration with a fresh id."""
    item = source.items[i % len(source.items)]
    registration = {**rest_json(item.registration), "registrationId": f"BULK-{i:09d}"}
    return json.dumps({"registration": registration}).encode()


def courses(source: Sample) -> dict[str, OdbCourse]:
    return {n: parse_model(OdbCourse, c) for n, c in source.courses.items()}


def mapping_cpu_ms(lines: list[bytes], catalogue: dict[str, Any]) -> float:
    """CPU ms per line (this thread) of the mapping alone: read the JSON, validate the
    registration, ``vov_to_bev``; no HTTP, no XML, no store. A CPU-speed reference: this host's
    speed swings by ~1.7x between runs."""
    rules, crosswalk = RuleBook.load(None), Crosswalk.load()
    started = time.thread_time()
    for line in lines:
        try:
            registration = parse_model(VovRegistration, json.loads(line)["registration"])
            vov_to_bev(registration, catalogue[registration.odb_number], rules, crosswalk)
        except (BrugValidationError, KeyError):
            pass  # the sample's defective lines: refused before mapping, as in the gateway
    return (time.thread_time() - started) / len(lines) * 1000
