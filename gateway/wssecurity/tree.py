"""Reading parsed trees on the hot paths of signing and verification."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Final, cast

from lxml import etree

# ``element[:]``: the child nodes (comments and PIs included) as a list, in one C call with no
# Python frame; every message reads a dozen of them. lxml-stubs does not type slicing.
child_nodes: Final = cast(
    Callable[[etree._Element], list[etree._Element]], operator.itemgetter(slice(None))
)
