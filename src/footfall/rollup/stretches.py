"""What a batch of dirty counter-hours re-resolves, and the time slices its inputs are read in.

Raw events are keyed time first (start, counter, identity): reading one counter's hour costs
as much as reading every counter's. So a batch is planned as a whole: each counter's dirty
UTC hours become *stretches* of its local hours, and the time they span is cut into *slices*,
each read once for all the counters whose stretches cover it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from footfall.domain.timegrid import local_hour_edges, zone


@dataclass(frozen=True, slots=True)
class Stretch:
    """One counter's local hours to re-resolve: the buckets between consecutive `edges`."""

    counter_id: int
    edges: list[int]
    # Its local hours reach past its dirty UTC hours (a zone off the whole hour), into
    # hours another batch may hold: see `refresher._hold`.
    widened: bool

    @property
    def lo(self) -> int:
        """Where its first local hour starts."""
        return self.edges[0]

    @property
    def hi(self) -> int:
        """Where its last local hour ends."""
        return self.edges[-1]


@dataclass(frozen=True, slots=True)
class Slice:
    """A time range read once, for the counters whose stretches cover all of it."""

    lo: int
    hi: int
    counter_ids: list[int]


def stretches(hours: Mapping[int, Sequence[int]], zones: Mapping[int, str]) -> list[Stretch]:
    """Each counter's runs of dirty UTC hours, widened to whole local hours of its zone.

    A counter's stretches share no local hour: its runs are a clean UTC hour apart, and no
    local hour reaches across a whole UTC hour (the only ones longer than an hour, 90 minutes
    at Lord Howe's half-hour DST change, start on the hour or the half hour).
    """
    edges_of = cache(lambda name, a, b: local_hour_edges(zone(name), a, b))  # shared by a zone's counters
    found: list[Stretch] = []
    for counter_id, marked in hours.items():
        name = zones.get(counter_id, "UTC")
        for a, b in _runs(marked):
            edges = edges_of(name, a, b)
            found.append(Stretch(counter_id, edges, edges[0] < a or edges[-1] > b))
    return found


def _runs(marked: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive UTC hours as [from, to) runs."""
    runs: list[list[int]] = []
    for hour in sorted(marked):
        if runs and hour <= runs[-1][1]:
            runs[-1][1] = hour + 3600
        else:
            runs.append([hour, hour + 3600])
    return [(a, b) for a, b in runs]


def slices(work: Sequence[Stretch]) -> list[Slice]:
    """Cut the time the stretches span into slices, each with the counters that need it.

    Slices are disjoint, so no instant is read twice; neighbours wanted by the same
    counters are one slice, and time no stretch covers is not read at all.
    """
    starting: dict[int, list[int]] = defaultdict(list)
    ending: dict[int, list[int]] = defaultdict(list)
    for s in work:
        starting[s.lo].append(s.counter_id)
        ending[s.hi].append(s.counter_id)
    cut: list[Slice] = []
    active: set[int] = set()
    for lo, hi in pairwise(sorted(starting.keys() | ending.keys())):
        active.difference_update(ending.get(lo, ()))
        active.update(starting.get(lo, ()))
        if not active:
            continue
        ids = sorted(active)
        if cut and cut[-1].hi == lo and cut[-1].counter_ids == ids:
            cut[-1] = Slice(cut[-1].lo, hi, ids)
        else:
            cut.append(Slice(lo, hi, ids))
    return cut
