"""The daily file push into a real FTP server (pyftpdlib) and a real SFTP server (asyncssh) on loopback."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncssh
import pytest
from pydantic import ValidationError
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.daily_file import render_daily_file
from footfall.simulator.devices.ftp_push import FtpPushConfig, FtpPushDevice, latest_due_day
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec

OPEN = ((8 * 60, 20 * 60),) * 7
FLEET = Fleet(
    seed=3,
    sites=(SiteSpec("BER", "Berlin", "Europe/Berlin", OPEN, daily_visitors=500),),
    counters=(CounterSpec("00000000000c0001", "FFC-2024-000301", "BER", 1, 1.0, True, ("ftp",)),),
)
COUNTER = FLEET.counters[0]
SITE = FLEET.site("BER")
BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2025, 6, 18)
YESTERDAY = TODAY - timedelta(days=1)
USER, PASSWORD = "counter", "s3cret"


def _at(hour: int, minute: int, day: date = TODAY) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).timestamp()


def _name(day: date) -> str:
    return f"{COUNTER.serial}_{day:%Y%m%d}.csv"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _FtpServer:
    """A pyftpdlib server with one user rooted in `root`, served from a background thread."""

    def __init__(self, root: Path, port: int = 0) -> None:
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmwMT")
        handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
        self.server = ThreadedFTPServer(("127.0.0.1", port), handler)
        self.port = int(self.server.address[1])
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"timeout": 0.05, "handle_exit": False}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close_all()
        self.thread.join(5)


@pytest.fixture
def ftp_server(tmp_path: Path) -> Iterator[_FtpServer]:
    server = _FtpServer(tmp_path)
    yield server
    server.close()


def _config(port: int, **overrides: Any) -> FtpPushConfig:
    return FtpPushConfig(**{"host": "127.0.0.1", "port": port, "username": USER, "password": PASSWORD,
                            **overrides})


def _device(config: FtpPushConfig, clock: SimClock, faults: FaultPlan | None = None) -> FtpPushDevice:
    return FtpPushDevice(COUNTER, SITE, FLEET, config, clock, faults, poll_s=0.02, retry_s=0.05)


async def _run_until(device: FtpPushDevice, done: Callable[[], bool], timeout: float = 5.0) -> None:
    task = asyncio.create_task(device.run())
    try:
        async with asyncio.timeout(timeout):
            while not done():
                await asyncio.sleep(0.02)
    finally:
        await device.stop()
        await task


def test_upload_day_puts_the_file_in_a_new_ftp_folder(ftp_server: _FtpServer, tmp_path: Path) -> None:
    device = _device(_config(ftp_server.port, remote_dir="drop/daily"), SimClock(start=_at(9, 0)))
    name = asyncio.run(device.upload_day(YESTERDAY))
    assert name == _name(YESTERDAY)
    landed = tmp_path / "drop" / "daily" / name
    assert landed.read_bytes() == render_daily_file(FLEET, COUNTER.serial, YESTERDAY)
    assert sorted(p.name for p in landed.parent.iterdir()) == [name]  # no .part left behind
    assert device.stats.files_sent == 1 and device.uploaded == {YESTERDAY}


def test_the_file_name_date_format_and_txt_format_are_configurable(ftp_server: _FtpServer,
                                                                    tmp_path: Path) -> None:
    config = _config(ftp_server.port, passive=False, file_name="{site}_{date:%d-%m-%Y}.{ext}",
                     date_format="%d/%m/%Y", file_format="txt")
    asyncio.run(_device(config, SimClock(start=_at(9, 0))).upload_day(YESTERDAY))
    text = (tmp_path / "BER_17-06-2025.txt").read_text()
    assert text.splitlines()[1].startswith("17/06/2025\t00:00\t+02:00\t")


def test_sftp_upload_lands_in_the_server_folder(tmp_path: Path) -> None:
    class PasswordServer(asyncssh.SSHServer):
        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            return (username, password) == (USER, PASSWORD)

    async def scenario() -> FtpPushDevice:
        server = await asyncssh.listen(
            "127.0.0.1", 0, server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")],
            server_factory=PasswordServer,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=os.fsencode(tmp_path)),
        )
        port = server.sockets[0].getsockname()[1]
        try:
            config = _config(port, protocol="sftp", remote_dir="in/footfall")
            device = _device(config, SimClock(start=_at(9, 0)))
            await device.upload_day(YESTERDAY)
            await device.upload_day(YESTERDAY)  # a re-send replaces the file
            bad = _device(_config(port, protocol="sftp", password="wrong"), SimClock(start=_at(9, 0)))
            with pytest.raises(asyncssh.PermissionDenied):
                await bad.upload_day(YESTERDAY)
            assert bad.stats.failures == 1 and "PermissionDenied" in (bad.stats.last_error or "")
            return device
        finally:
            server.close()
            await server.wait_closed()

    device = asyncio.run(scenario())
    folder = tmp_path / "in" / "footfall"
    assert [p.name for p in folder.iterdir()] == [_name(YESTERDAY)]
    assert (folder / _name(YESTERDAY)).read_bytes() == render_daily_file(FLEET, COUNTER.serial, YESTERDAY)
    assert device.stats.files_sent == 2


def test_yesterday_is_due_only_once_0230_local_has_passed() -> None:
    assert latest_due_day(_at(2, 29), "Europe/Berlin") == YESTERDAY - timedelta(days=1)
    assert latest_due_day(_at(2, 30), "Europe/Berlin") == YESTERDAY
    assert latest_due_day(_at(23, 59), "Europe/Berlin") == YESTERDAY
    spring = date(2025, 3, 30)  # 02:00 → 03:00 in Berlin: 02:30 never happens, 03:00 is past it
    assert latest_due_day(_at(1, 59, spring), "Europe/Berlin") == spring - timedelta(days=2)
    assert latest_due_day(_at(3, 0, spring), "Europe/Berlin") == spring - timedelta(days=1)


def test_the_device_pushes_yesterday_after_0230_on_the_sim_clock(ftp_server: _FtpServer,
                                                                 tmp_path: Path) -> None:
    clock = SimClock(speed=600, start=_at(2, 25))  # ten simulated minutes per real second
    device = _device(_config(ftp_server.port), clock)
    assert device.pending() == []
    asyncio.run(_run_until(device, lambda: bool(device.uploaded)))
    assert device.uploaded == {YESTERDAY}
    assert device.stats.sent[YESTERDAY] >= _at(2, 30)
    assert [p.name for p in tmp_path.iterdir()] == [_name(YESTERDAY)]


def test_an_offline_counter_pushes_once_back_online(ftp_server: _FtpServer, tmp_path: Path) -> None:
    clock = SimClock(speed=600, start=_at(3, 0))
    faults = FaultPlan(offline=((int(_at(1, 0)), int(_at(3, 5))),))
    device = _device(_config(ftp_server.port), clock, faults)
    asyncio.run(_run_until(device, lambda: bool(device.uploaded)))
    assert device.stats.sent[YESTERDAY] >= _at(3, 5)
    assert (tmp_path / _name(YESTERDAY)).exists()


def test_failures_are_retried_until_the_server_is_back(tmp_path: Path) -> None:
    port = _free_port()
    device = _device(_config(port), SimClock(start=_at(4, 0)))

    async def scenario() -> None:
        task = asyncio.create_task(device.run())
        try:
            async with asyncio.timeout(5):
                while device.stats.failures < 2:
                    await asyncio.sleep(0.02)
            server = _FtpServer(tmp_path, port)
            try:
                async with asyncio.timeout(5):
                    while not device.uploaded:
                        await asyncio.sleep(0.02)
            finally:
                server.close()
        finally:
            await device.stop()
            await task

    asyncio.run(scenario())
    assert "ConnectionRefusedError" in (device.stats.last_error or "")
    assert device.uploaded == {YESTERDAY} and (tmp_path / _name(YESTERDAY)).exists()


def test_backlog_sends_the_missing_history(ftp_server: _FtpServer, tmp_path: Path) -> None:
    device = _device(_config(ftp_server.port), SimClock(start=_at(12, 0)))
    device.backlog(3)
    days = {YESTERDAY - timedelta(days=n) for n in range(3)}
    asyncio.run(_run_until(device, lambda: device.uploaded == days))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(_name(day) for day in days)


def test_a_day_that_has_not_ended_is_refused() -> None:
    device = _device(_config(21), SimClock(start=_at(12, 0)))
    with pytest.raises(ValueError, match="has not ended"):
        asyncio.run(device.upload_day(TODAY))


@pytest.mark.parametrize("bad", [
    {"host": "h", "colour": "blue"}, {"host": "h", "protocol": "scp"}, {"host": "h", "file_format": "xlsx"},
    {"host": "h", "file_name": "daily.csv"}, {"host": "h", "date_format": "%m/%Y"}, {"host": ""},
])
def test_the_config_refuses_bad_settings_at_load(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        FtpPushConfig.model_validate(bad)


def test_default_ports_follow_the_protocol() -> None:
    assert FtpPushConfig(host="h").effective_port == 21
    assert FtpPushConfig(host="h", protocol="ftps").effective_port == 21
    assert FtpPushConfig(host="h", protocol="sftp").effective_port == 22
    assert datetime.fromtimestamp(_at(2, 30), UTC).hour == 0  # Berlin is UTC+2 in June
