"""The store's own error, in a module of its own so that :mod:`gateway.store.database` and
:mod:`gateway.store.migrate` can both raise it without importing each other."""

from __future__ import annotations

from gateway.errors import BrugError


class StoreError(BrugError):
    """The store cannot be opened or used (bad URL, unreachable database, schema too old)."""
