"""A site's live baseline: today's events of its own counters, read with one query."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from footfall.live.baseline import load_site
from tests.rollup.estate import Fleet, H

NOW = H + 10 * 3600  # 2026-01-01 15:30 in Kolkata
MIDNIGHT = H - 19_800  # 2026-01-01 00:00 in Kolkata


def test_a_site_replays_today_of_its_own_counters_in_one_query(engine: Engine) -> None:
    fleet = Fleet(engine, ["Asia/Kolkata", "UTC"])
    here, there = sorted(fleet.ids, key=lambda serial: fleet.zones[serial] != "Asia/Kolkata")
    today = fleet.ingest([(here, MIDNIGHT + 60, 1, 1, 1), (here, NOW - 600, 1, 2, 1),
                          (here, NOW + 600, 1, 1, 1)])  # later today: still today's
    fleet.ingest([(here, MIDNIGHT - 60, 1, 1, 1), (here, MIDNIGHT + 86_400, 1, 1, 1),  # other days
                  (there, NOW - 600, 1, 1, 1)])  # another site
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        state, recent = load_site(engine, fleet.company_id, fleet.sites["Asia/Kolkata"], NOW, 0)
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    assert recent == set(today)
    assert (state.visitors_in, state.visitors_out, state.occupancy) == (2, 1, 1)
    assert sum(bool(re.search(r"\bevent\b", s)) for s in statements) == 1
