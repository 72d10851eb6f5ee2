"""A long catch-up cut short keeps exactly what it committed, and the next pull resumes from there."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import DeviceApiPoller, PollerLimits, store
from footfall.connectors.device_api.connector import CHECKPOINT_WINDOWS
from footfall.connectors.device_api.windows import align_down, first_start, plan
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.truth import minute_iso, truth_rows
from footfall.storage.engine import read_tx, write_tx
from tests.connectors.device_api.fleet import FLEET, KATHMANDU, KTM, NOW, SERIALS
from tests.connectors.device_api.harness import Devices, SteppedClock, hub_minutes, register, state

DAYS = 12
HOUR = 3600


class CutOff(httpx.AsyncBaseTransport):
    """A real transport whose link dies after `allowed` apiCount requests (the boundary, not a fake)."""

    allowed = 0
    counted = 0
    crash = False   # die with something no pull expects instead

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Pass the request on while the link holds; then refuse to connect."""
        if request.url.path.endswith("apiCount.cgi"):
            CutOff.counted += 1
            if CutOff.counted > CutOff.allowed:
                if CutOff.crash:
                    raise RuntimeError("the hub stops (test)")
                raise httpx.ConnectError("link down (test)")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


def hours_of_truth(start: int, end: int) -> dict[tuple[int, str], list[int]]:
    """KTM's truth summed per (line, local hour start), zero hours left out."""
    hours: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in truth_rows(FLEET, start, end):
        if row.serial == KTM:
            cell = hours[(row.line, minute_iso(align_down(row.minute_ts, HOUR, KATHMANDU)))]
            for i, value in enumerate((row.in_, row.out, row.staff_in, row.staff_out)):
                cell[i] += value
    return dict(hours)


def hours_in_hub(engine: Engine, start: int, end: int) -> dict[tuple[int, str], list[int]]:
    """KTM's stored hourly cells in [start, end) by (line, hour start), zero hours left out."""
    return {(line, at): values for (serial, line, at), values in hub_minutes(engine, start, end).items()
            if serial == KTM}


class CatchUp:
    """KTM pulled hourly up to twelve days ago, then cut off; a poller on a stepped clock."""

    def __init__(self, engine: Engine, server: DeviceApiServer, clock: SteppedClock) -> None:
        self.engine, self.clock, self.box = engine, clock, SecretBox.generate()
        self.start = first_start(NOW, DAYS, HOUR, KATHMANDU)
        self.until = align_down(NOW, HOUR, KATHMANDU)
        self.windows = plan(self.start, self.until, KATHMANDU)
        self.id = register(engine, FLEET, server, self.box, resolution="hour")[KTM]
        with write_tx(engine) as conn:
            store.advance(conn, self.id, self.start)
        self.ingest = IngestCore(engine)
        limits = PollerLimits(retry_delay_s=0, attempts=2)
        self.poller = DeviceApiPoller(engine, self.ingest, self.box, limits, clock=clock,
                                      transport_factory=CutOff)

    def pull(self) -> tuple[str | None, int]:
        """Pull KTM once: its error (or None) and the windows it committed."""
        with read_tx(self.engine) as conn:
            target = store.load_targets(conn, self.box, counter_ids=[self.id])[0][0]
        outcome = asyncio.run(self.poller.pull(target))
        return outcome.error, outcome.windows

    def health(self) -> tuple[object, object]:
        """KTM's watermark and failures in a row."""
        row = state(self.engine, self.id)
        return row["watermark_ts"], row["failures"]


@pytest.fixture
def rig(sqlite_engine: Engine) -> Iterator[CatchUp]:
    """The simulated devices and the catch-up rig; the link healthy until a test cuts it."""
    clock = SteppedClock(NOW)
    CutOff.counted, CutOff.allowed, CutOff.crash = 0, 10**6, False
    with Devices(DeviceApiServer(FLEET, SERIALS, clock)) as server:
        built = CatchUp(sqlite_engine, server, clock)
        yield built
        built.ingest.close()


def test_a_catch_up_cut_short_keeps_its_commits_and_resumes(rig: CatchUp) -> None:
    assert len(rig.windows) == DAYS + 1  # a dozen whole local days, then today so far
    CutOff.allowed = 10
    error, taken = rig.pull()
    assert error is not None and "link down (test)" in error and taken == 10
    cut = rig.windows[9].end_ts
    assert rig.health() == (cut, 1)
    assert hours_in_hub(rig.engine, rig.start, NOW) == hours_of_truth(rig.start, cut)  # all of it, no more

    CutOff.counted, CutOff.allowed = 0, 10**6
    rig.clock.value += 120
    assert rig.pull() == (None, len(rig.windows) - 10)  # from the watermark, not from the start
    assert rig.health() == (rig.until, 0)
    truth = hours_of_truth(rig.start, rig.until)
    assert hours_in_hub(rig.engine, rig.start, NOW) == truth and len(truth) > 100


def test_a_pull_that_dies_mid_catch_up_kept_its_last_checkpoint(rig: CatchUp) -> None:
    # Not a device fault but the hub going down: nothing records the pull's end.
    CutOff.allowed, CutOff.crash = 10, True
    with pytest.raises(RuntimeError, match="the hub stops"):
        rig.pull()
    checkpoint = rig.windows[CHECKPOINT_WINDOWS - 1].end_ts
    assert rig.health()[0] == checkpoint  # the windows after it are committed but not yet vouched for
    committed = rig.windows[9].end_ts
    assert hours_in_hub(rig.engine, rig.start, NOW) == hours_of_truth(rig.start, committed)

    CutOff.counted, CutOff.allowed, CutOff.crash = 0, 10**6, False
    rig.clock.value += 120
    assert rig.pull() == (None, len(rig.windows) - CHECKPOINT_WINDOWS)  # two windows again, harmlessly
    assert rig.health() == (rig.until, 0)
    assert hours_in_hub(rig.engine, rig.start, NOW) == hours_of_truth(rig.start, rig.until)
