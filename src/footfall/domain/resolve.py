"""Source precedence and coverage for one counter over a row of buckets (DESIGN §3).

Every input becomes a *cell*: reported counts are cells of their own length, live events are
summed into one-minute cells of source `live`. Inside each bucket, cells are claimed from the
most trusted source down; a cell whose time is already claimed by a more trusted one is left
out, so the nightly device report replaces the live minutes it covers and nothing is counted
twice. A bucket is covered where a reported cell was claimed (zeros included) or where the
counter was provably alive; a missing signal is never a zero.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from footfall.domain.sources import LIVE, PRECEDENCE


@dataclass(frozen=True, slots=True)
class Cell:
    """Counts of one line of one counter over [start_ts, start_ts + length_s) from one source."""

    roi_id: int
    source: str
    start_ts: int
    length_s: int
    in_count: int
    out_count: int
    staff_in: int = 0
    staff_out: int = 0


LineTotals = tuple[int, int, int, int]  # in, out, staff in, staff out


@dataclass(slots=True)
class Resolved:
    """What one counter contributes to one bucket after precedence."""

    start_ts: int
    end_ts: int
    covered_s: int = 0
    lines: dict[int, LineTotals] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        """True when the counter covered the whole bucket."""
        return self.covered_s >= self.end_ts - self.start_ts

    def add(self, cell: Cell) -> None:
        """Add a claimed cell's counts to its line."""
        a, b, c, d = self.lines.get(cell.roi_id, (0, 0, 0, 0))
        self.lines[cell.roi_id] = (
            a + cell.in_count, b + cell.out_count, c + cell.staff_in, d + cell.staff_out
        )
        self.sources.add(cell.source)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open spans as a sorted list of disjoint spans."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _covered_length(spans: list[tuple[int, int]], start: int, end: int) -> int:
    total = 0
    for a, b in spans:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += hi - lo
    return total


class _Claims:
    """Disjoint claimed spans inside one bucket."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def try_claim(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start:
            return False
        if i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def resolve(
    edges: Sequence[int], cells: Iterable[Cell], alive: Iterable[tuple[int, int]]
) -> list[Resolved]:
    """Resolve one counter's cells into the buckets [edges[i], edges[i+1]) by precedence."""
    results = [Resolved(a, b) for a, b in pairwise(edges)]
    if not results:
        return results
    slots: dict[tuple[str, int, int], list[Cell]] = {}
    for cell in cells:
        slots.setdefault((cell.source, cell.start_ts, cell.length_s), []).append(cell)
    # Most trusted first; within a source, longer slots first so one hour beats its minutes.
    order = sorted(slots, key=lambda k: (-PRECEDENCE[k[0]], -k[2], k[1], k[0]))
    claims = [_Claims() for _ in results]
    reported: list[list[tuple[int, int]]] = [[] for _ in results]
    for key in order:
        source, start, length = key
        index = bisect_right(edges, start) - 1
        if index < 0 or index >= len(results) or start + length > edges[index + 1]:
            continue  # not inside one bucket of this grid: it cannot be split
        if not claims[index].try_claim(start, start + length):
            continue
        for cell in slots[key]:
            results[index].add(cell)
        if source != LIVE:
            reported[index].append((start, start + length))
        else:
            results[index].sources.add(LIVE)
    spans = merge_spans(alive)
    span_starts = [a for a, _ in spans]
    for i, result in enumerate(results):
        lo = max(bisect_left(span_starts, result.start_ts) - 1, 0)
        hi = bisect_left(span_starts, result.end_ts)
        nearby = [(max(a, result.start_ts), min(b, result.end_ts)) for a, b in spans[lo:hi]]
        result.covered_s = _covered_length(
            merge_spans(nearby + reported[i]), result.start_ts, result.end_ts
        )
    return results
