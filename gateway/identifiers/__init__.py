"""Belgian identifiers, one module each (as python-stdnum does), validated by python-stdnum.

brug never re-implements the check-digit arithmetic: stdnum's ``be.nn`` and ``be.bis`` already
handle the post-2000 "prefix 2" rule and BIS month offsets, and ``be.vat`` the KBO/BCE check.
"""

from gateway.identifiers.establishment import validate_establishment_unit
from gateway.identifiers.insz import mask_insz, validate_insz
from gateway.identifiers.kbo import validate_kbo

__all__ = ["mask_insz", "validate_establishment_unit", "validate_insz", "validate_kbo"]
