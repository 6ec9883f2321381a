"""NDJSON bulk files for the tests and the benchmark, generated lazily (never held whole)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from gateway.demo.sample import Sample, generate
from gateway.service.context import GatewayContext
from gateway.service.rest.resources import rest_json


def sample_with_catalogue(context: GatewayContext, count: int, seed: int = 2025) -> Sample:
    """A reproducible sample whose courses are in the gateway's catalogue."""
    sample = generate(count, seed=seed)
    with context.store.transaction() as tx:
        for course in sample.courses.values():
            context.records.put_course(course, updated_by="test", tx=tx)
    return sample


def ndjson_lines(sample: Sample, *, garbage_every: int = 0) -> Iterator[bytes]:
    """One registration per line; every ``garbage_every``-th line is not JSON at all."""
    for index, item in enumerate(sample.items, start=1):
        if garbage_every and index % garbage_every == 0:
            yield b"{this is not json\n"
            continue
        yield json.dumps(rest_json(item.registration), separators=(",", ":")).encode() + b"\n"


def chunked(lines: Iterator[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Lines regrouped into chunks of about ``size`` bytes, cut anywhere (as TCP would)."""
    buffer = bytearray()
    for line in lines:
        buffer += line
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def varied_lines(sample: Sample, count: int, *, brussels_every: int = 4) -> Iterator[bytes]:
    """``count`` lines cycling over ``sample`` with fresh registration ids; only every
    ``brussels_every``-th line keeps its Brussels unit (the rest are routed back to Flanders),
    so that a large file runs in seconds while still signing and queueing a share of lines."""
    items = sample.items
    for index in range(count):
        registration = dict(rest_json(items[index % len(items)].registration))
        registration["registrationId"] = f"MEM-{index:07d}"
        if index % brussels_every:
            registration["establishmentUnit"] = {
                **registration["establishmentUnit"],
                "region": "flanders",
            }
        yield json.dumps(registration, separators=(",", ":")).encode() + b"\n"


class RssSampler:
    """Current resident set size (Linux ``/proc/self/statm``), sampled in a thread: the peak
    *growth* over a baseline is what "flat memory" means; ``ru_maxrss`` only knows the peak
    since the process started."""

    def __init__(self, interval: float = 0.02) -> None:
        import os
        import threading

        self._page = os.sysconf("SC_PAGE_SIZE")
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.baseline = self.current()
        self.peak = self.baseline

    def current(self) -> int:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, self.current())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline
