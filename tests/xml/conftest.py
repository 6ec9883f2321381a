"""Make ``tests.strategies`` importable under ``--import-mode=importlib``.

importlib mode does not put the repository root on ``sys.path``; the shared strategies live in
``tests/strategies.py`` (a namespace package), so the root is added here for this directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
