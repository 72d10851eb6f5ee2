"""Aggregation status of a site / area / group bucket (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum


class AggregationStatus(StrEnum):
    """Whether every active counter behind a bucket reported for all of it."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    NO_DATA = "no_data"


def aggregation_status(
    expected: Sequence[str], covered_s: Mapping[str, int], length_s: int, has_counts: bool
) -> tuple[AggregationStatus, list[str]]:
    """Status and the serials that did not cover the whole bucket."""
    if expected and all(covered_s.get(s, 0) >= length_s for s in expected):
        return AggregationStatus.COMPLETE, []
    missing = sorted(s for s in expected if covered_s.get(s, 0) < length_s)
    if not expected or (not has_counts and all(covered_s.get(s, 0) == 0 for s in expected)):
        return AggregationStatus.NO_DATA, missing
    if missing:
        return AggregationStatus.PARTIAL, missing
    return AggregationStatus.COMPLETE, []
