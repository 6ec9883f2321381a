"""``python -m conformance.endpoint``: check the golden corpus (exit 1 when it disagrees)."""

from __future__ import annotations

import sys

from conformance.endpoint.golden import main

sys.exit(main())
