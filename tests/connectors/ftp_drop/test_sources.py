"""Watched folders (size-stable check) and remote folders fetched over FTP (pyftpdlib) and SFTP
(asyncssh), through the drop's sources table with the password sealed at rest."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop import SPEC, DropConfig
from footfall.connectors.ftp_drop.config import FileFormat, RemoteSource, WatchedFolder
from footfall.connectors.ftp_drop.connector import FileDrop
from footfall.connectors.ftp_drop.store import add_source
from footfall.connectors.spec import ProbeFailed
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.daily_file import day_bounds, render_daily_file
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables_file_drop import drop_source
from tests.connectors.ftp_drop.simhub import cell_count, fleet_estate, stored_cells, truth_cells

ALL_DAY = ((0, 1440),) * 7
FLEET = Fleet(seed=31, sites=(SiteSpec("OSL", "Oslo", "Europe/Oslo", ALL_DAY, daily_visitors=700),),
              counters=(CounterSpec("0000000000a10001", "FFC-2024-000701", "OSL", 1, 1.0, True, ("ftp",)),))
SERIAL = FLEET.counters[0].serial
DAY = date(2025, 5, 5)
NAME = f"{SERIAL}_{DAY:%Y%m%d}.csv"
USER, PASSWORD = "pickup", "remote-secret-99"


@asynccontextmanager
async def drop(engine: Engine, tmp_path: Path, box: SecretBox) -> AsyncIterator[FileDrop]:
    core = IngestCore(engine)
    running = FileDrop(engine, core, tmp_path / "data", box, look_every_s=None)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
        core.close()


def _truth() -> Any:
    start, end = day_bounds(DAY, "Europe/Oslo")
    return truth_cells(FLEET, start, end)


def test_a_watched_folder_file_is_taken_only_once_its_size_stays_the_same(engine: Engine,
                                                                          tmp_path: Path) -> None:
    company_id = fleet_estate(engine, FLEET)
    folder = tmp_path / "watched"
    folder.mkdir()
    with write_tx(engine) as conn:
        add_source(conn, company_id, "lan", "watch",
                   WatchedFolder(path=folder, settle_s=0).model_dump(mode="json"), None, FileFormat())
    data = render_daily_file(FLEET, SERIAL, DAY)

    async def scenario() -> None:
        async with drop(engine, tmp_path, SecretBox.generate()) as running:
            (folder / NAME).write_bytes(data[: len(data) // 3])  # still being written
            await running.look(force=True)
            (folder / NAME).write_bytes(data[: 2 * len(data) // 3])
            await running.look(force=True)  # it grew: not settled
            await running.settle()
            assert running.outcomes == [] and (folder / NAME).exists()
            (folder / NAME).write_bytes(data)
            await running.look(force=True)
            await running.look(force=True)  # unchanged between two looks: taken
            await running.settle()
            assert [o.status for o in running.outcomes] == ["done"]

    asyncio.run(scenario())
    assert stored_cells(engine, "ftp") == _truth() and not (folder / NAME).exists()
    assert list((folder / "archive").rglob(NAME))


class _FtpServer:
    def __init__(self, root: Path) -> None:
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmw")
        handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
        self.server = ThreadedFTPServer(("127.0.0.1", 0), handler)
        self.port = int(self.server.address[1])
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"timeout": 0.05, "handle_exit": False}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close_all()
        self.thread.join(5)


@pytest.fixture
def ftp_server(tmp_path: Path) -> Iterator[tuple[_FtpServer, Path]]:
    root = tmp_path / "ftp-root"
    (root / "out").mkdir(parents=True)
    server = _FtpServer(root)
    yield server, root / "out"
    server.close()


def _remote(engine: Engine, company_id: int, box: SecretBox, **fields: Any) -> None:
    source = RemoteSource(username=USER, **fields)
    settings = source.model_dump(mode="json", exclude={"password"})
    with write_tx(engine) as conn:
        add_source(conn, company_id, "partner", "remote", settings, box.seal(PASSWORD), FileFormat())


def test_a_remote_ftp_folder_is_fetched_and_the_file_removed_there(
        engine: Engine, tmp_path: Path, ftp_server: tuple[_FtpServer, Path]) -> None:
    server, folder = ftp_server
    company_id = fleet_estate(engine, FLEET)
    box = SecretBox.generate()
    _remote(engine, company_id, box, protocol="ftp", host="127.0.0.1", port=server.port, directory="/out")
    (folder / NAME).write_bytes(render_daily_file(FLEET, SERIAL, DAY))
    (folder / "readme.txt").write_text("not a counter file")

    async def scenario() -> None:
        async with drop(engine, tmp_path, box) as running:
            await running.look(force=True)
            await running.settle()
            assert [o.status for o in running.outcomes] == ["done"]
            await running.look(force=True)  # nothing left there: nothing more
            await running.settle()
            assert len(running.outcomes) == 1

    asyncio.run(scenario())
    assert stored_cells(engine, "ftp") == _truth()
    assert sorted(p.name for p in folder.iterdir()) == ["readme.txt"]
    with read_tx(engine) as conn:
        row = conn.execute(select(drop_source)).mappings().one()
    assert row["failures"] == 0 and row["last_success_at"] is not None
    assert PASSWORD not in str(dict(row)) and box.unseal(row["password_sealed"]) == PASSWORD


@pytest.fixture
def sftp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    root = tmp_path / "sftp-root"
    (root / "drop").mkdir(parents=True)
    key = asyncssh.generate_private_key("ssh-ed25519")

    class PasswordOnly(asyncssh.SSHServer):
        def begin_auth(self, username: str) -> bool:
            return True

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            return (username, password) == (USER, PASSWORD)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncssh.listen(
        "127.0.0.1", 0, server_host_keys=[key], server_factory=PasswordOnly,
        sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root).encode())))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield port, root / "drop"
    loop.call_soon_threadsafe(server.close)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def test_a_remote_sftp_folder_kept_in_place_is_not_taken_twice(engine: Engine, tmp_path: Path,
                                                               sftp_server: tuple[int, Path]) -> None:
    port, folder = sftp_server
    company_id = fleet_estate(engine, FLEET)
    box = SecretBox.generate()
    _remote(engine, company_id, box, protocol="sftp", host="127.0.0.1", port=port, directory="/drop",
            delete_after_fetch=False)
    (folder / NAME).write_bytes(render_daily_file(FLEET, SERIAL, DAY))

    async def scenario() -> None:
        async with drop(engine, tmp_path, box) as running:
            await running.look(force=True)
            await running.settle()
            cells = cell_count(engine)
            await running.look(force=True)  # same content, same name: already done, skipped
            await running.settle()
            assert [o.status for o in running.outcomes] == ["done"] and cell_count(engine) == cells

    asyncio.run(scenario())
    assert stored_cells(engine, "ftp") == _truth() and (folder / NAME).exists()


def test_the_probe_answers_for_a_good_folder_and_names_the_problem_of_a_bad_one(
        tmp_path: Path, sftp_server: tuple[int, Path]) -> None:
    port, folder = sftp_server
    (folder / NAME).write_bytes(b"x")
    assert SPEC.key == "ftp_drop" and SPEC.config is DropConfig and SPEC.probe is not None
    good = DropConfig(company_id=1, remote={"protocol": "sftp", "host": "127.0.0.1", "port": port,
                                            "username": USER, "password": PASSWORD, "directory": "/drop"})
    assert "1 counter file(s)" in asyncio.run(SPEC.probe(good))
    bad = good.model_copy(update={"remote": good.remote.model_copy(  # type: ignore[union-attr]
        update={"password": None})})
    with pytest.raises(ProbeFailed) as failed:
        asyncio.run(SPEC.probe(bad))
    assert "127.0.0.1" in str(failed.value) and PASSWORD not in str(failed.value)
    watched = DropConfig(company_id=1, watch={"path": str(tmp_path / "missing")})
    with pytest.raises(ProbeFailed, match="does not exist"):
        asyncio.run(SPEC.probe(watched))
