"""Adapter tests talk to the simulators (real processes); see tests/simulators/support.py."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.simulators.support import brussels_sim, federal_sim, pki  # noqa: E402, F401
