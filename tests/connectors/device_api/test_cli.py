"""`footfall connectors test device_api --counter S` and `footfall backfill` against simulated devices."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from footfall.cli.main import app
from footfall.security.secrets import secret_box
from footfall.settings import Settings
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.storage.engine import make_engine
from footfall.storage.migrate import upgrade
from tests.connectors.device_api.fleet import FLEET, FRONT, KTM, LONDON, SERIALS
from tests.connectors.device_api.harness import Devices, cells, hub_minutes, register, state, truth_minutes

DAY_START = int(datetime(2025, 11, 20, tzinfo=LONDON).timestamp())


class Hub:
    """The CLI over its own SQLite data directory, with the simulated fleet registered in it."""

    def __init__(self, data_dir: Path, server: DeviceApiServer) -> None:
        self.engine = make_engine(f"sqlite:///{data_dir / 'footfall.db'}")
        upgrade(self.engine)
        self.ids = register(self.engine, FLEET, server, secret_box(Settings(data_dir=data_dir)))
        self.runner = CliRunner()

    def run(self, *args: str) -> Result:
        """`footfall …` with these arguments."""
        return self.runner.invoke(app, list(args))


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    for name in list(os.environ):
        if name.startswith("FOOTFALL_") and not name.startswith("FOOTFALL_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FOOTFALL_DATA_DIR", str(tmp_path / "data"))
    with Devices(DeviceApiServer(FLEET, SERIALS, SimClock(start=time.time()))) as server:
        built = Hub(tmp_path / "data", server)
        yield built
        built.engine.dispose()


def test_connectors_list_and_the_probe_of_a_registered_counter(hub: Hub) -> None:
    listed = hub.run("connectors", "list")
    assert listed.exit_code == 0, listed.output
    assert "device_api" in listed.output and "poll" in listed.output and "websocket" in listed.output
    probed = hub.run("connectors", "test", "device_api", "--counter", KTM)
    assert probed.exit_code == 0, probed.output
    assert f"counter {KTM} (Asia/Kathmandu) answered 24 hourly intervals" in probed.output
    assert "123456" not in probed.output
    wrong = hub.run("connectors", "test", "device_api", "--counter", "ffffffffffffffff")
    assert wrong.exit_code == 1 and "no such counter" in wrong.output


def test_backfill_pulls_the_local_days_once_whatever_the_reruns(hub: Hub) -> None:
    result = hub.run("backfill", "--counter", FRONT, "--from", "2025-11-20", "--to", "2025-11-20")
    assert result.exit_code == 0, result.output
    assert "1 windows" in result.output and f"{1440 * 2} interval counts" in result.output
    hub_day = {
        k: v for k, v in hub_minutes(hub.engine, DAY_START, DAY_START + 86400).items() if k[0] == FRONT
    }
    truth = {k: v for k, v in truth_minutes(FLEET, DAY_START, DAY_START + 86400).items() if k[0] == FRONT}
    assert hub_day == truth and len(truth) > 100
    assert state(hub.engine, hub.ids[FRONT]) == {}  # a backfill leaves the poller's watermark alone
    stored = cells(hub.engine)
    again = hub.run("backfill", "--counter", FRONT, "--from", "2025-11-19", "--to", "2025-11-20")
    assert again.exit_code == 0, again.output
    assert "2 windows" in again.output and cells(hub.engine) == stored + 1440 * 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2025-11-20", "--to", "2025-11-19"), "is before --from"),
        (("--from", "20.11.2025", "--to", "2025-11-20"), "--from '20.11.2025' is not a date YYYY-MM-DD"),
    ],
)
def test_backfill_refuses_bad_ranges_by_name(hub: Hub, args: tuple[str, ...], message: str) -> None:
    result = hub.run("backfill", "--counter", FRONT, *args)
    assert result.exit_code == 1 and message in result.output
