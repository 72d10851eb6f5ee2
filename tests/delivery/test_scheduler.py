"""The scheduler: due occurrences run once, by the in-hub service or by two OS processes at once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.delivery.model import Delivery
from footfall.delivery.runner import Hub
from footfall.delivery.schedule import due
from footfall.delivery.service import DeliveryService
from footfall.settings import Settings
from footfall.storage.engine import make_engine, read_tx, write_tx
from footfall.storage.tables_delivery import delivery, delivery_run
from tests.api.helpers import Tenant, make_tenant, post
from tests.databases import empty
from tests.delivery.conftest import KEY, build_estate
from tests.servers import FtpServer, Mailbox, ftp_server

SRC = Path(__file__).resolve().parents[2] / "src"


def ftp_delivery(client: TestClient, tenant: Tenant, server: FtpServer, name: str,
                 site: str) -> dict[str, Any]:
    """A daily delivery of a site's hours to the FTP server, named after itself."""
    return post(client, tenant, "/deliveries", {
        "name": name, "ids": [site], "destination": "ftp", "host": server.host, "port": server.port,
        "username": server.user, "password": server.password, "timezone": "Europe/London",
        "at": "05:00", "file_name": "{name}_{date:%Y%m%d}.{ext}", "retries": 0})


def backdate(engine: Engine, days: int) -> list[Delivery]:
    """Pretend every delivery was configured `days` ago; the deliveries, re-read."""
    with write_tx(engine) as conn:
        conn.execute(update(delivery).values(
            schedule_since=datetime.now(UTC) - timedelta(days=days)))
    with read_tx(engine) as conn:
        return [Delivery.from_row(r) for r in conn.execute(select(delivery)).mappings()]


def expected_keys(targets: list[Delivery]) -> set[tuple[int, str]]:
    """(delivery, occurrence) due now, computed from the schedules alone."""
    now = int(time.time())
    return {(t.id, o.key) for t in targets for o in due(t.schedule, t.schedule_since_ts, now, 7)}


def run_keys(engine: Engine) -> list[tuple[int, str]]:
    """(delivery, occurrence) of every run row."""
    with read_tx(engine) as conn:
        return [(int(d), k) for d, k in conn.execute(
            select(delivery_run.c.delivery_id, delivery_run.c.occurrence_key))]


def test_service_in_the_hub_runs_due_occurrences_once(client: TestClient, a: Tenant, engine: Engine,
                                                      hub_settings: Settings, tmp_path: Path) -> None:
    assert isinstance(client.app.state.services["deliveries"], DeliveryService)  # type: ignore[attr-defined]
    estate = build_estate(client, a)
    with ftp_server(tmp_path / "ftp") as server:
        ftp_delivery(client, a, server, "daily", estate.site)
        wanted = expected_keys(backdate(engine, 2))
        assert wanted

        async def scheduler() -> int:
            service = DeliveryService(Hub.from_settings(hub_settings, engine), tick_s=0.05)
            await service.start()
            deadline = time.monotonic() + 60
            while len(run_keys(engine)) < len(wanted) or service.ticks < 3:
                assert time.monotonic() < deadline, run_keys(engine)
                await asyncio.sleep(0.05)
            await service.stop()
            return service.ticks

        assert asyncio.run(scheduler()) >= 3  # later ticks found nothing more to run
        files = sorted(p.name for p in server.root.iterdir())
    assert sorted(run_keys(engine)) == sorted(wanted)
    assert len(files) == len(wanted)


@contextmanager
def start_barrier(engine: Engine, waiters: int) -> Iterator[None]:
    """Hold the delivery table locked until `waiters` sessions queue on it, then let all go at once."""
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE delivery IN ACCESS EXCLUSIVE MODE"))
        yield
        deadline = time.monotonic() + 60
        while True:
            with engine.connect() as probe:
                queued = probe.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar_one()
            if queued >= waiters:
                break
            assert time.monotonic() < deadline, f"only {queued} process(es) reached the barrier"
            time.sleep(0.05)
        holder.rollback()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """The session's PostgreSQL database, emptied."""
    engine = empty(make_engine(pg_url))
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_two_hub_processes_deliver_each_occurrence_once(pg_engine: Engine, pg_url: str, tmp_path: Path,
                                                        mailbox: Mailbox) -> None:
    settings = Settings(data_dir=tmp_path / "hub", secret_key=KEY, smtp_url=mailbox.url)
    with ftp_server(tmp_path / "ftp") as server:
        with TestClient(create_app(settings, pg_engine)) as client:
            tenant = make_tenant(pg_engine, "Two Hubs Ltd")
            estate = build_estate(client, tenant)
            for index in range(4):
                ftp_delivery(client, tenant, server, f"feed{index}", estate.site)
        # The app (and its own scheduler) is stopped: only the two processes below run.
        wanted = expected_keys(backdate(pg_engine, 3))
        assert len(wanted) >= 8
        env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
        env.update(FOOTFALL_DATABASE_URL=pg_url, FOOTFALL_SECRET_KEY=KEY, PYTHONPATH=str(SRC),
                   FOOTFALL_DATA_DIR=str(tmp_path / "hub"), FOOTFALL_SMTP_URL=mailbox.url)
        with start_barrier(pg_engine, waiters=2):
            hubs = [subprocess.Popen([sys.executable, "-m", "footfall.delivery"], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outputs = [hub.communicate(timeout=120) for hub in hubs]
        files = sorted(p.name for p in server.root.iterdir())
    for hub, (_out, err) in zip(hubs, outputs, strict=True):
        assert hub.returncode == 0, err
    made = [json.loads(line) for out, _err in outputs for line in out.splitlines()]
    assert sorted((m["delivery_id"], m["occurrence_key"]) for m in made) == sorted(wanted)
    assert sorted(run_keys(pg_engine)) == sorted(wanted)  # one run row per occurrence
    assert len(files) == len(wanted) == len(set(files))  # one file per occurrence
    assert all(m["status"] == "delivered" for m in made)
