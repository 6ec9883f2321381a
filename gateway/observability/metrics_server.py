"""The metrics listener: ``/metrics`` on its own address, never on the API's public port.

The exposition names clients and partners and shows each one's traffic, so it is served by a
small plain-HTTP server of prometheus_client (a thread) bound to ``[metrics] listen``
(loopback by default), apart from the API.

``brug serve --workers N`` runs N worker processes, each counting what it handles. Served from
one worker, the counters would be that worker's share, different at every scrape. So with
several workers brug uses prometheus_client's multiprocess mode: before the workers start, the
supervisor points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory; each worker's counters and
histograms then live in memory-mapped files there, and the supervisor's listener sums them
(:class:`~prometheus_client.multiprocess.MultiProcessCollector`). ``brug_outbox_pending`` is
read from the store at scrape time in either case.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.observability.metrics import PendingCounts, register_outbox_pending

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(slots=True)
class MetricsListener:
    """A running metrics listener; :meth:`close` stops it and frees its port."""

    server: WSGIServer
    thread: Thread
    host: str
    port: int

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> MetricsListener:
    """Serve ``registry`` on ``host:port`` (any path answers; scrape ``/metrics``).

    Raises OSError when the address cannot be bound (in use, not an address of this host).
    """
    server, thread = start_http_server(port, addr=host, registry=registry)
    bound = server.server_address[1]
    return MetricsListener(server, thread, host, int(bound))


@dataclass(slots=True)
class MultiProcessMetrics:
    """The supervisor's side of multiprocess mode: the directory and the summing registry."""

    directory: Path
    registry: CollectorRegistry

    @classmethod
    def start(cls, outbox_pending: PendingCounts | None = None) -> MultiProcessMetrics:
        """Create the directory and export it to the workers started after this call."""
        directory = Path(tempfile.mkdtemp(prefix="brug-metrics-"))
        os.environ[MULTIPROCESS_ENV] = str(directory)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
        if outbox_pending is not None:
            register_outbox_pending(registry, outbox_pending)
        return cls(directory, registry)

    def close(self) -> None:
        os.environ.pop(MULTIPROCESS_ENV, None)
        shutil.rmtree(self.directory, ignore_errors=True)
