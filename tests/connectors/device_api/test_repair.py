"""A counter that missed live push for two hours is repaired by the pull: partial buckets turn complete."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import DeviceApiPoller, PollerLimits
from footfall.domain.timegrid import Interval
from footfall.domain.verification import Policy
from footfall.ingest.core import IngestCore
from footfall.query.counts import CountsRequest, counter_ids, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.devices.payloads import event_data
from footfall.simulator.fleet import ENTRANCE_ROI, OUTSIDE_ROI
from footfall.simulator.traffic import crossings
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import counter, line
from tests.connectors.device_api.fleet import BACK, FLEET, FRONT, LONDON, NOW, SERIALS
from tests.connectors.device_api.harness import Devices, SteppedClock, register

DAY = date(2025, 11, 20)
START = int(datetime(2025, 11, 20, tzinfo=LONDON).timestamp())
GAP = (START + 12 * 3600, START + 14 * 3600)  # BACK's live link was down 12:00-14:00


def push_live(ingest: IngestCore, company_id: int) -> None:
    """The day as live push delivered it: every crossing and alive span, except BACK's gap."""
    for serial in (FRONT, BACK):
        gap = GAP if serial == BACK else (START, START)
        events = [event_data(c, LONDON, c.at) for c in crossings(FLEET, serial, START, START + 86400)
                  if not gap[0] <= c.at < gap[1]]
        alive = ((START, gap[0]), (gap[1], START + 86400))
        spans = [{"serial": serial, "start": a, "end": b} for a, b in alive if b > a]
        result = ingest.ingest(company_id, events=events, coverage=spans)
        assert result.errors == [] and result.accepted == len(events) + len(spans)


def site_hours(engine: Engine, company_id: int) -> list[dict[str, object]]:
    """The site's hourly report for the day, rollups refreshed first."""
    request = CountsRequest(company_id, Level.SITE, "LDN", Interval.HOUR, DAY, DAY)
    with read_tx(engine) as conn:
        ids = counter_ids(conn, request)
    refresh(engine, ids)
    with read_tx(engine) as conn:
        return report(conn, request, int(time.time()), Policy())


def truth_hours() -> list[int]:
    """Visitors in through the site's doors per local hour of the day (the simulator's count)."""
    hours: Counter[int] = Counter()
    for serial in (FRONT, BACK):
        for c in crossings(FLEET, serial, START, START + 86400):
            if c.roi == ENTRANCE_ROI and c.metric == 1 and c.people_type == 1:
                hours[(c.at - START) // 3600] += 1
    return [hours[h] for h in range(24)]


def test_the_pull_repairs_what_live_push_missed(engine: Engine) -> None:
    clock, box = SteppedClock(NOW), SecretBox.generate()
    ingest = IngestCore(engine)
    with Devices(DeviceApiServer(FLEET, SERIALS, clock)) as server:
        ids = register(engine, FLEET, server, box)
        company_id = _company(engine, ids[FRONT])
        with write_tx(engine) as conn:  # the front door's second line watches the street
            conn.execute(insert(line).values(counter_id=ids[FRONT], roi_id=OUTSIDE_ROI, kind="outside",
                                             direction="normal"))
        push_live(ingest, company_id)
        before = site_hours(engine, company_id)
        partial = [i for i, row in enumerate(before) if row["aggregation_status"] == "partial"]
        assert partial == [12, 13]
        assert all(before[i]["missing_counters"] for i in partial)
        assert [row["in"] for row in before][12] < truth_hours()[12]

        poller = DeviceApiPoller(engine, ingest, box, PollerLimits(), clock=clock)
        assert [o.error for o in asyncio.run(poller.poll_due())] == [None] * len(SERIALS)
    after = site_hours(engine, company_id)
    ingest.close()
    assert [row["aggregation_status"] for row in after] == ["complete"] * 24
    assert [row["in"] for row in after] == truth_hours()
    assert sum(truth_hours()) > 1000


def _company(engine: Engine, counter_id: int) -> int:
    with read_tx(engine) as conn:
        return int(conn.execute(select(counter.c.company_id).where(counter.c.id == counter_id)).scalar_one())
