"""The demo: a simulated fleet as the estate, history equal to the simulator's truth, live push.

The live test runs the real thing: the in-process MQTT broker, the hub under uvicorn and the
fleet's WebSocket and MQTT counters, then compares what the hub stored with what was pushed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.demo.build import build_demo
from footfall.demo.estate import ensure_company, register_fleet
from footfall.demo.fleet import COMPANY, demo_fleet
from footfall.demo.live import LiveAddresses, free_port, serve_with_fleet
from footfall.domain.timegrid import Interval, zone
from footfall.domain.verification import Policy
from footfall.estate.counters import list_counters
from footfall.estate.site_groups import list_site_groups
from footfall.estate.sites import list_sites
from footfall.query.counts import CountsRequest, public, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.settings import Settings
from footfall.simulator.clock import SimClock
from footfall.simulator.runner import FleetRunner
from footfall.simulator.traffic import crossings, tallies
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import count_cell, counter, event

FLEET = demo_fleet()
DAYS = 3


def _now_ts() -> int:
    return int(datetime.now().timestamp())  # noqa: DTZ005 - an epoch, zone-free


def _rows(engine: Engine, company_id: int, level: Level, ident: str, interval: Interval,
          first: date, last: date | None = None) -> list[dict[str, Any]]:
    refresh(engine)
    request = CountsRequest(company_id, level, ident, interval, first, last or first)
    with read_tx(engine) as conn:
        return public(report(conn, request, _now_ts(), Policy()))


def test_the_estate_is_the_fleet_pushing_over_both_channels(sqlite_engine: Engine) -> None:
    built = build_demo(sqlite_engine, FLEET, DAYS, _now_ts())
    assert built.errors == [] and built.stored > 0
    with read_tx(sqlite_engine) as conn:
        sites = list_sites(conn, built.estate.company_id)
        counters = list_counters(conn, built.estate.company_id)
        groups = list_site_groups(conn, built.estate.company_id)
    assert sorted(s["code"] for s in sites) == sorted(s.code for s in FLEET.sites)
    assert {s["timezone"] for s in sites} == {s.timezone for s in FLEET.sites}
    assert all(s["opening_hours"] for s in sites)
    assert len(counters) == len(FLEET.counters) and all(c["site_id"] for c in counters)
    assert Counter(c["channel"] for c in counters) == Counter({"ws": 3, "mqtt": 3})
    assert [(g["name"], len(g["site_ids"])) for g in groups] == [("All stores", len(FLEET.sites))]


def test_history_equals_the_simulators_truth_and_a_rerun_adds_nothing(sqlite_engine: Engine) -> None:
    now = _now_ts()
    built = build_demo(sqlite_engine, FLEET, DAYS, now)
    site = FLEET.sites[0]
    yesterday = datetime.fromtimestamp(now, zone(site.timezone)).date() - timedelta(days=1)
    [day] = _rows(sqlite_engine, built.estate.company_id, Level.SITE, site.code, Interval.DAY, yesterday)
    start = int(datetime.fromisoformat(day["start"]).timestamp())
    end = int(datetime.fromisoformat(day["end"]).timestamp())
    truth = [t for c in FLEET.doors(site.code) for t in tallies(FLEET, c.serial, start, end, 900)
             if t.roi == 1]
    assert day["aggregation_status"] == "complete"
    assert (day["in"], day["out"]) == (sum(t.in_ for t in truth), sum(t.out for t in truth))
    assert day["in"] > 100 and day["in"] == day["out"]  # a simulated day ends empty
    with read_tx(sqlite_engine) as conn:
        cells = conn.execute(select(func.count()).select_from(count_cell)).scalar_one()
    again = build_demo(sqlite_engine, FLEET, DAYS, now)
    assert again.estate.counter_ids == built.estate.counter_ids and again.stored == 0
    with read_tx(sqlite_engine) as conn:
        assert conn.execute(select(func.count()).select_from(count_cell)).scalar_one() == cells


def test_the_fleet_pushes_live_over_websocket_and_mqtt_and_nothing_is_lost(
        sqlite_engine: Engine, tmp_path: Path) -> None:
    with write_tx(sqlite_engine) as conn:
        estate = register_fleet(conn, ensure_company(conn, COMPANY), FLEET)
    # Yesterday from 10:00 at the first site, an hour of traffic per real second.
    site = FLEET.sites[0]
    local = datetime.now(zone(site.timezone)).replace(hour=10, minute=0, second=0, microsecond=0)
    clock = SimClock(speed=3600, start=(local - timedelta(days=1)).timestamp())
    seen: dict[str, Any] = {}

    async def main() -> FleetRunner:
        stop = asyncio.Event()

        def ready(addresses: LiveAddresses, runner: FleetRunner) -> None:
            seen["addresses"] = addresses
            seen["runner"] = runner

        async def watch() -> None:
            while "runner" not in seen or clock.now() < clock.start + 4 * 3600:
                await asyncio.sleep(0.1)
            stop.set()

        watcher = asyncio.create_task(watch())
        runner = await serve_with_fleet(Settings(data_dir=tmp_path), sqlite_engine, FLEET, estate.company_id,
                                        port=free_port(), clock=clock, on_ready=ready, stop=stop)
        await watcher
        return runner

    runner = asyncio.run(main())
    assert seen["addresses"].mqtt.startswith("mqtt://127.0.0.1:")
    assert len(runner.ws) == 3 and len(runner.mqtt) == 3
    assert runner.counted["ws"] > 0 and runner.counted["mqtt"] > 0
    start, end = runner.window
    pushed = Counter(c.serial for c in FLEET.counters for c in crossings(FLEET, c.serial, start, end))
    with read_tx(sqlite_engine) as conn:
        stored = Counter(dict(conn.execute(
            select(counter.c.serial, func.count()).join(event, event.c.counter_id == counter.c.id)
            .group_by(counter.c.serial)).all()))
    assert stored == pushed
