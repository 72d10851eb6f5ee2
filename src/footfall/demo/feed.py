"""Feed the demo's history and today's live data through the one ingest core, in chunks."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from footfall.demo.layout import DemoCounter, DemoSite
from footfall.demo.records import alive_span, live_events, reported_counts
from footfall.demo.traffic import day_traffic
from footfall.domain.timegrid import Interval, buckets, local_date, local_midnight_ts, zone
from footfall.ingest.core import IngestCore

CHUNK = 5_000


@dataclass(slots=True)
class FeedTotals:
    """What the ingest core said about everything the feed sent."""

    accepted: int = 0
    duplicates: int = 0
    unassigned: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Chunk:
    counts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.counts) + len(self.events) + len(self.coverage)


class Feed:
    """Sends payloads to the ingest core whenever a chunk is full, and adds up the results."""

    def __init__(self, core: IngestCore, company_id: int) -> None:
        self._core = core
        self._company_id = company_id
        self._chunk = _Chunk()
        self.totals = FeedTotals()

    def add(self, counts: Sequence[dict[str, Any]] = (), events: Sequence[dict[str, Any]] = (),
            coverage: Sequence[dict[str, Any]] = ()) -> None:
        """Queue payloads; a full chunk is ingested (and committed) at once."""
        self._chunk.counts.extend(counts)
        self._chunk.events.extend(events)
        self._chunk.coverage.extend(coverage)
        if self._chunk.size >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Ingest what is queued."""
        chunk, self._chunk = self._chunk, _Chunk()
        if not chunk.size:
            return
        result = self._core.ingest(self._company_id, counts=chunk.counts, events=chunk.events,
                                   coverage=chunk.coverage)
        self.totals.accepted += result.accepted
        self.totals.duplicates += result.duplicates
        self.totals.unassigned += result.unassigned
        self.totals.errors.extend(f"{e.index}: {e.error}" for e in result.errors)


def history_days(now_ts: int, tz_name: str, days: int) -> tuple[list[date], date]:
    """The `days` local dates ending yesterday in the site's zone, and today's local date."""
    today = local_date(now_ts, zone(tz_name))
    return [today - timedelta(days=n) for n in range(days, 0, -1)], today


def feed_counter(feed: Feed, site: DemoSite, counter: DemoCounter, seed: int, now_ts: int,
                 days: int, step: Callable[[], None]) -> None:
    """History as hourly device reports (minus the day it missed), today as live events."""
    tz = zone(site.timezone)
    history, today = history_days(now_ts, site.timezone, days)
    missed = history[-1] - timedelta(days=counter.misses_day) if counter.misses_day is not None \
        else None
    for day in [*history, today]:
        rng = random.Random(f"{seed}|{counter.serial}|{day.isoformat()}")
        traffic = day_traffic(rng, day.weekday(), site.open_hours(day.weekday()),
                              counter.daily_visitors, counter.outside_line)
        hours = [(b, traffic[b.local_start.hour]) for b in buckets(tz, Interval.HOUR, day, day)]
        if day == today:
            events_rng = random.Random(f"{seed}|{counter.serial}|{day.isoformat()}|events")
            start = local_midnight_ts(day, tz)
            feed.add(events=live_events(events_rng, counter.serial, hours, now_ts),
                     coverage=[alive_span(counter.serial, start, now_ts)] if now_ts > start else [])
        elif day != missed:
            feed.add(counts=reported_counts(counter.serial, hours, counter.outside_line))
        step()
