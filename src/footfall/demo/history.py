"""The demo's past: what each counter's own store would report, ingested as 15-minute counts.

History stops at the moment the demo starts; from then on the counters push live. The
counts come from the simulator's traffic model, so history and live are one story.
"""

from __future__ import annotations

from collections.abc import Callable

from footfall.ingest.batch import IngestResult
from footfall.ingest.core import IngestCore
from footfall.simulator.fleet import Fleet
from footfall.simulator.traffic import tallies

STEP_S = 900          # the device API's 15-minute resolution
SOURCE = "device_api"  # as if pulled from each counter's own store
Progress = Callable[[int, int], None]


def history_counts(fleet: Fleet, serial: str, start: int, end: int) -> list[dict[str, int | str]]:
    """Reported 15-minute counts of one counter for the whole intervals in [start, end)."""
    first = -(-start // STEP_S) * STEP_S
    last = end - end % STEP_S
    if last <= first:
        return []
    return [{"serial": serial, "line": t.roi, "start": t.start, "length": STEP_S, "source": SOURCE,
             "in": t.in_, "out": t.out, "staff_in": t.staff_in, "staff_out": t.staff_out}
            for t in tallies(fleet, serial, first, last, STEP_S)]


def ingest_history(core: IngestCore, company_id: int, fleet: Fleet, start: int, end: int,
                   on_progress: Progress | None = None) -> list[IngestResult]:
    """Store every counter's history over [start, end), one commit per counter."""
    results = []
    for done, unit in enumerate(fleet.counters, start=1):
        results.append(core.ingest(company_id, channel="demo",
                                   counts=history_counts(fleet, unit.serial, start, end)))
        if on_progress is not None:
            on_progress(done, len(fleet.counters))
    return results
