"""End to end against the simulator's real HTTP devices: pulled totals equal the ground truth."""

from __future__ import annotations

import asyncio
import dataclasses

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import DeviceApiPoller, PollerLimits
from footfall.connectors.device_api.connector import PullOutcome
from footfall.connectors.device_api.store import load_targets
from footfall.connectors.device_api.windows import first_start
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.truth import minute_iso
from footfall.storage.engine import read_tx
from footfall.storage.tables import count_cell
from tests.connectors.device_api.fleet import FLEET, FRONT, KTM, NOW, SERIALS, ZONES
from tests.connectors.device_api.harness import (
    Devices,
    SteppedClock,
    hub_minutes,
    register,
    state,
    truth_minutes,
)


def expected(since: dict[str, int], until: dict[str, int]) -> dict[tuple[str, int, str], list[int]]:
    """The truth per counter over its own [since, until)."""
    truth = truth_minutes(FLEET, min(since.values()), max(until.values()))
    keep = {s: {minute_iso(t) for t in range(since[s], until[s], 60)} for s in SERIALS}
    return {key: value for key, value in truth.items() if key[2] in keep[key[0]]}


def stored_cells(engine: Engine) -> list[tuple[object, ...]]:
    """Every reported-count cell without its receive time."""
    columns = [c for c in count_cell.c if c.name != "received_ts"]
    with read_tx(engine) as conn:
        return [tuple(r) for r in conn.execute(select(*columns).order_by(*columns))]


def test_a_pulled_day_matches_the_truth_and_pulling_again_changes_nothing(engine: Engine) -> None:
    clock, box = SteppedClock(NOW), SecretBox.generate()
    ingest = IngestCore(engine)
    with Devices(DeviceApiServer(FLEET, SERIALS, clock)) as server:
        ids = register(engine, FLEET, server, box)
        poller = DeviceApiPoller(engine, ingest, box, PollerLimits(), clock=clock)
        outcomes: list[PullOutcome] = asyncio.run(poller.poll_due())
        assert [(o.serial, o.error) for o in outcomes] == [(s, None) for s in SERIALS]
        since = {s: first_start(NOW, 1, 60, ZONES[s]) for s in SERIALS}
        until = dict.fromkeys(SERIALS, NOW)
        assert {s: state(engine, ids[s])["watermark_ts"] for s in SERIALS} == until
        truth = expected(since, until)
        assert sum(v[0] for v in truth.values()) > 1000
        assert hub_minutes(engine, min(since.values()), NOW) == truth
        before = stored_cells(engine)
        assert len(before) == sum((NOW - since[s]) // 60 * len(FLEET.counter(s).rois) for s in SERIALS)

        # Nothing is due again within the hour; the same range fetched again changes nothing.
        assert asyncio.run(poller.poll_due()) == []
        with read_tx(engine) as conn:
            targets, broken = load_targets(conn, box)
        assert broken == []
        for target in targets:
            outcome = PullOutcome(target.counter_id, target.serial)
            asyncio.run(poller.fetch(target, since[target.serial], NOW, outcome, advance=False))
            assert outcome.records > 0
        assert stored_cells(engine) == before

        # An hour later only the new hour is pulled, from the watermark.
        clock.value = NOW + 3600 + 59
        outcomes = asyncio.run(poller.poll_due())
        assert [(o.windows, o.records, o.reached) for o in outcomes] == [
            (1, 60 * len(FLEET.counter(s).rois), NOW + 3600) for s in SERIALS
        ]
        until = dict.fromkeys(SERIALS, NOW + 3600)
        assert hub_minutes(engine, min(since.values()), NOW + 3600) == expected(since, until)
    ingest.close()


def test_xml_seconds_and_json_hours_agree_with_the_truth(sqlite_engine: Engine) -> None:
    clock, box = SteppedClock(NOW), SecretBox.generate()
    ingest = IngestCore(sqlite_engine)
    with Devices(DeviceApiServer(FLEET, SERIALS, clock)) as server:
        register(sqlite_engine, FLEET, server, box)
        with read_tx(sqlite_engine) as conn:
            targets = {t.serial: t for t in load_targets(conn, box)[0]}
        poller = DeviceApiPoller(sqlite_engine, ingest, box, PollerLimits(), clock=clock)
        seconds = targets[FRONT].config.model_copy(
            update={"data_type": "xml", "resolution": "second", "resolution_step": 30}
        )
        hours = targets[KTM].config.model_copy(update={"resolution": "hour"})
        runs = [
            (dataclasses.replace(targets[FRONT], config=seconds), NOW - 30 * 3600, NOW - 27 * 3600, 3 * 120),
            (dataclasses.replace(targets[KTM], config=hours), NOW - 30 * 3600 - 2700, NOW - 2700, 30),
        ]
        for target, since, until, intervals in runs:
            outcome = PullOutcome(target.counter_id, target.serial)
            asyncio.run(poller.fetch(target, since, until, outcome, advance=False))
            lines = len(FLEET.counter(target.serial).rois)
            assert (outcome.error, outcome.records, outcome.reached) == (None, intervals * lines, until)
            truth = [v for k, v in truth_minutes(FLEET, since, until).items() if k[0] == target.serial]
            hub = [v for k, v in hub_minutes(sqlite_engine, since, until).items() if k[0] == target.serial]
            assert [sum(column) for column in zip(*hub, strict=True)] == [
                sum(column) for column in zip(*truth, strict=True)
            ]
    ingest.close()
