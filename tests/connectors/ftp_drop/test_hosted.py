"""The hub's own FTP drop on loopback: simulated counters push their daily files to it with a
real FTP client; the hub's totals equal the ground truth and a live-push gap is repaired."""

from __future__ import annotations

import asyncio
import ftplib
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop.config import FileFormat
from footfall.connectors.ftp_drop.connector import FileDrop
from footfall.connectors.ftp_drop.store import add_account, file_log
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.daily_file import day_bounds, render_daily_file
from footfall.simulator.devices.ftp_push import FtpPushConfig, FtpPushDevice
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import counter
from tests.connectors.ftp_drop.simhub import (
    cell_count,
    fleet_estate,
    live_day,
    site_hours,
    stored_cells,
    truth_cells,
    truth_hours,
)

OPEN = ((7 * 60, 21 * 60),) * 7
FLEET = Fleet(
    seed=8,
    sites=(SiteSpec("MAD", "Madrid", "Europe/Madrid", OPEN, daily_visitors=1500),),
    counters=(CounterSpec("00000000000f0001", "FFC-2024-000601", "MAD", 1, 0.6, False, ("ftp",)),
              CounterSpec("00000000000f0002", "FFC-2024-000602", "MAD", 2, 0.4, False, ("ftp",))),
)
DAYS = (date(2025, 10, 25), date(2025, 10, 26))  # a Saturday and the 25-hour fall-back Sunday
PASSWORD = "drop-pass-1234"


@asynccontextmanager
async def hosted(engine: Engine, tmp_path: Path) -> AsyncIterator[FileDrop]:
    core = IngestCore(engine)
    drop = FileDrop(engine, core, tmp_path / "data", SecretBox.generate(), ftp_port=0, look_every_s=None)
    await drop.start()
    try:
        yield drop
    finally:
        await drop.stop()
        core.close()


def _account(engine: Engine, company_id: int, username: str, **fmt: str) -> None:
    with write_tx(engine) as conn:
        add_account(conn, company_id, username, PASSWORD, FileFormat(**fmt))


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def _counter_company(engine: Engine, serial: str) -> set[int]:
    with read_tx(engine) as conn:
        return set(conn.execute(select(counter.c.company_id).where(counter.c.serial == serial)).scalars())


def test_simulated_counters_push_two_days_and_the_hub_matches_the_ground_truth(engine: Engine,
                                                                              tmp_path: Path) -> None:
    company_id = fleet_estate(engine, FLEET)
    _account(engine, company_id, "madrid", date_format="%d/%m/%Y", file_format="txt")
    start, end = day_bounds(DAYS[0], "Europe/Madrid")[0], day_bounds(DAYS[1], "Europe/Madrid")[1]
    sunday = day_bounds(DAYS[1], "Europe/Madrid")[0]
    gap = (sunday + 11 * 3600, sunday + 14 * 3600)
    serial = FLEET.counters[0].serial
    events, coverage = live_day(FLEET, start, end, {serial: gap})
    core = IngestCore(engine)
    core.ingest(company_id, events=events, coverage=coverage)
    core.close()
    before = site_hours(engine, company_id, "MAD", DAYS[1])
    partial = [r for r in before if r["aggregation_status"] == "partial"]
    assert len(partial) == 3 and all(r["missing_counters"] for r in partial)

    async def scenario() -> None:
        async with hosted(engine, tmp_path) as drop:
            assert drop.server is not None
            clock = SimClock(start=end + 3 * 3600)
            for spec in FLEET.counters:
                config = FtpPushConfig(host="127.0.0.1", port=drop.server.port, username="madrid",
                                       password=PASSWORD, date_format="%d/%m/%Y", file_format="txt")
                device = FtpPushDevice(spec, FLEET.site("MAD"), FLEET, config, clock)
                for day in DAYS:
                    await device.upload_day(day)
            await _until(lambda: len(drop.outcomes) == 4)
            await drop.settle()
            assert [o.status for o in drop.outcomes] == ["done"] * 4
            cells = cell_count(engine)
            again = FtpPushDevice(FLEET.counters[0], FLEET.site("MAD"), FLEET, config, clock)
            await again.upload_day(DAYS[1])  # the same file twice
            await _until(lambda: len(drop.outcomes) == 5)
            assert drop.outcomes[-1].status == "done" and cell_count(engine) == cells

    asyncio.run(scenario())
    assert stored_cells(engine, "ftp") == truth_cells(FLEET, start, end)
    after = site_hours(engine, company_id, "MAD", DAYS[1])
    assert len(after) == 25 and {r["aggregation_status"] for r in after} == {"complete"}
    truth = truth_hours(FLEET, start, end)
    assert [(r["in"], r["out"]) for r in after] == [truth.get(r["utc_start"], (0, 0)) for r in after]
    assert sum(r["in"] for r in after) > 500
    home = tmp_path / "data" / "drop" / str(company_id) / "madrid"
    left = [p.relative_to(home).parts[0] for p in home.rglob("*") if p.is_file()]
    assert left == ["archive"] * 5  # every file archived, nothing waiting or half-way


def test_a_half_upload_is_never_read_and_a_file_cut_short_is_rejected(engine: Engine, tmp_path: Path) -> None:
    company_id = fleet_estate(engine, FLEET)
    _account(engine, company_id, "madrid")
    serial, day = FLEET.counters[0].serial, DAYS[0]
    data = render_daily_file(FLEET, serial, day)
    name = f"{serial}_{day:%Y%m%d}.csv"

    async def scenario() -> None:
        async with hosted(engine, tmp_path) as drop:
            assert drop.server is not None
            home = tmp_path / "data" / "drop" / str(company_id) / "madrid"

            def aborted_upload() -> None:
                with ftplib.FTP() as ftp:
                    ftp.connect("127.0.0.1", drop.server.port, timeout=10)
                    ftp.login("madrid", PASSWORD)
                    ftp.voidcmd("TYPE I")
                    with ftp.transfercmd(f"STOR {name}") as data_socket:
                        data_socket.sendall(data[: len(data) // 2])
                        landed = _until(lambda: (home / name).exists())
                        asyncio.run_coroutine_threadsafe(landed, loop).result(10)
                        ftp.abort()  # the counter gives up half-way: the server deletes the half file

            loop = asyncio.get_running_loop()
            await asyncio.to_thread(aborted_upload)
            await _until(lambda: not (home / name).exists())

            def cut_at_a_line_break() -> None:
                cut = data[: data.index(b"\r\n", len(data) // 2) + 2]
                with ftplib.FTP() as ftp:
                    ftp.connect("127.0.0.1", drop.server.port, timeout=10)
                    ftp.login("madrid", PASSWORD)
                    ftp.storbinary(f"STOR {name}", io.BytesIO(cut))  # the connection closed: "complete"

            await asyncio.to_thread(cut_at_a_line_break)
            await _until(lambda: len(drop.outcomes) == 1)
            [outcome] = drop.outcomes
            assert outcome.status == "rejected" and "ends before the end of the day" in (outcome.error or "")
            assert (home / "rejected" / f"{name}.errors.txt").is_file()

    asyncio.run(scenario())
    assert cell_count(engine) == 0
    with read_tx(engine) as conn:
        assert [row["status"] for row in file_log(conn, company_id)] == ["rejected"]


def test_accounts_are_per_company_and_a_wrong_password_is_refused(engine: Engine, tmp_path: Path) -> None:
    company_a = fleet_estate(engine, FLEET, name="A")
    other = Fleet(FLEET.seed, FLEET.sites, FLEET.counters[:1])
    company_b = fleet_estate(engine, Fleet(9, other.sites, (CounterSpec(
        "00000000000f0009", "FFC-2024-000609", "MAD", 1, 1.0, False, ("ftp",)),)), name="B")
    _account(engine, company_a, "store-a")
    _account(engine, company_b, "store-b")
    serial = FLEET.counters[0].serial  # A's counter, uploaded by B's account: B's data, never A's

    async def scenario() -> None:
        async with hosted(engine, tmp_path) as drop:
            assert drop.server is not None

            def uploads() -> None:
                with ftplib.FTP() as ftp:
                    ftp.connect("127.0.0.1", drop.server.port, timeout=10)
                    try:
                        ftp.login("store-a", "wrong password")
                        raise AssertionError("a wrong password was accepted")
                    except ftplib.error_perm as refused:
                        assert str(refused).startswith("530")
                with ftplib.FTP() as ftp:
                    ftp.connect("127.0.0.1", drop.server.port, timeout=10)
                    ftp.login("store-b", PASSWORD)
                    assert ftp.pwd() == "/"  # jailed in its own home
                    ftp.storbinary(f"STOR {serial}_{DAYS[0]:%Y%m%d}.csv",
                                   io.BytesIO(render_daily_file(FLEET, serial, DAYS[0])))
                    try:
                        ftp.cwd("/../../")
                        assert ftp.pwd() == "/"
                    except ftplib.error_perm:
                        pass

            await asyncio.to_thread(uploads)
            await _until(lambda: len(drop.outcomes) == 1)
            assert drop.outcomes[0].status == "done"

    asyncio.run(scenario())
    assert _counter_company(engine, serial) == {company_a, company_b}  # B got its own unassigned one
    with read_tx(engine) as conn:
        assert file_log(conn, company_a) == [] and len(file_log(conn, company_b)) == 1
        assert conn.execute(select(counter.c.site_id).where(counter.c.company_id == company_b,
                                                            counter.c.serial == serial)).scalar_one() is None
