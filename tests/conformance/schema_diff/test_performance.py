"""schema-diff on the largest catalogued pair stays well under a second (asserted loosely)."""

from __future__ import annotations

from benchmarks.conformance_schema import largest_pair, time_largest_pair


def test_largest_pair_is_bev() -> None:
    old, new = largest_pair()
    assert (old.name, new.name) == ("bev-record-v1.xsd", "bev-record-v2.xsd")


def test_schema_diff_of_the_largest_pair_is_fast() -> None:
    assert time_largest_pair(repeat=2) < 5.0  # target < 1 s; ~10 ms measured
