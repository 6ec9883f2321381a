"""Rounding of hours and money, in one place so that every scheme rounds the same way.

Hours and euros are kept to the cent (two decimals, as the canonical models allow); a cap of
125 h × 0.3333 is 41.66 h. brug rounds half up: the schemes' texts state no rounding, so this
is an assumption documented in docs/rules.md and easy to change here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def hours(value: Decimal) -> Decimal:
    """Hours to two decimals, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def euros(value: Decimal) -> Decimal:
    """Euros to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
