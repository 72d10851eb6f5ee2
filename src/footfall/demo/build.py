"""Build the demo: register the fleet as 'Demo Retail' and store its history (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from footfall.demo.estate import Estate, ensure_company, mark_outside_lines, register_fleet
from footfall.demo.fleet import COMPANY, GROUP
from footfall.demo.history import Progress, ingest_history
from footfall.ingest.batch import IngestResult
from footfall.ingest.core import IngestCore
from footfall.simulator.fleet import Fleet
from footfall.storage.engine import write_tx


@dataclass(slots=True)
class DemoBuild:
    """What the build registered and what ingest said about the history."""

    estate: Estate
    results: list[IngestResult] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """New 15-minute counts stored."""
        return sum(r.accepted for r in self.results)

    @property
    def errors(self) -> list[str]:
        """Every record ingest refused (none expected)."""
        return [str(e) for r in self.results for e in r.errors]


def build_demo(engine: Engine, fleet: Fleet, days: int, now_ts: int,
               on_progress: Progress | None = None) -> DemoBuild:
    """Register the fleet and store `days` days of history up to `now_ts`."""
    with write_tx(engine) as conn:
        estate = register_fleet(conn, ensure_company(conn, COMPANY), fleet, GROUP)
    core = IngestCore(engine)
    try:
        results = ingest_history(core, estate.company_id, fleet, now_ts - days * 86400, now_ts, on_progress)
    finally:
        core.close()
    with write_tx(engine) as conn:
        mark_outside_lines(conn, fleet, estate)
    return DemoBuild(estate, results)
