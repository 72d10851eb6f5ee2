"""Per-counter daily files: one per counter per closed local day, re-sent when a day is restated."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from footfall.delivery.runner import Hub
from footfall.delivery.service import run_due
from footfall.domain.timegrid import local_midnight_ts
from footfall.settings import Settings
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables_delivery import delivered_day, delivery
from tests.api.helpers import Tenant, post
from tests.delivery.conftest import LONDON, api_rows, build_estate
from tests.export.parse import read_delimited
from tests.servers import sftp_server

COLUMNS = ["date", "time", "in", "out", "staff_in", "staff_out", "aggregation_status", "last_revised"]


def due_now() -> datetime:
    """Now, or today 03:00 London if earlier: yesterday's files are due (after 02:30) either way."""
    today = datetime.now(LONDON).date()
    floor = datetime.combine(today, time(3), tzinfo=LONDON)
    return max(datetime.now(UTC), floor.astimezone(UTC))


def expected(client: TestClient, tenant: Tenant, serial: str, day: Any) -> list[dict[str, Any]]:
    """The API's minute rows of one counter day, in the file's date and time formats."""
    rows = api_rows(client, tenant, "counter", serial, "minute", day, day)
    found = []
    for row in rows:
        start = datetime.fromisoformat(row["start"])
        found.append({"date": start.strftime("%d/%m/%Y"), "time": start.strftime("%H:%M"),
                      **{k: row[k] for k in COLUMNS[2:]}})
    return found


def run(engine: Engine, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """One scheduler pass at `now`: the runs it made."""
    return asyncio.run(run_due(Hub.from_settings(settings, engine), now))


def test_one_file_per_counter_day_and_restated_days_sent_again(
        client: TestClient, a: Tenant, engine: Engine, hub_settings: Settings, tmp_path: Path) -> None:
    estate = build_estate(client, a)
    with sftp_server(tmp_path / "sftp") as server:
        created = post(client, a, "/deliveries", {
            "name": "counter files", "kind": "counter_daily", "ids": "all", "columns": COLUMNS,
            "dateformat": "dd/MM/yyyy", "timeformat": "HH:mm", "destination": "sftp",
            "host": server.host, "port": server.port, "username": server.user,
            "password": server.password, "directory": ".",
            "file_name": "{site}_{counter}_{date:%Y%m%d}.{ext}"})
        now = due_now()
        # Configured two days ago: the days closed since then are due.
        with write_tx(engine) as conn:
            conn.execute(update(delivery).values(schedule_since=now - timedelta(days=2)))
        made = run(engine, hub_settings, now)
        assert made and all(r["status"] == "delivered" for r in made), made
        delivered = {(r["file_name"], r["trigger"]) for r in made}
        for serial in estate.serials:
            for day in estate.days:
                name = f"{estate.site}_{serial}_{day:%Y%m%d}.csv"
                assert (name, "schedule") in delivered
                rows = read_delimited((server.root / name).read_bytes(), ",")
                assert rows == expected(client, a, serial, day)
                assert len(rows) >= 23 * 60
        assert len(list(server.root.iterdir())) == len(made)

        assert run(engine, hub_settings, now) == []  # nothing new: nothing sent

        # Late data restates yesterday for the first counter only.
        late_serial, late_day = estate.serials[0], estate.days[-1]
        late_name = f"{estate.site}_{late_serial}_{late_day:%Y%m%d}.csv"
        before = read_delimited((server.root / late_name).read_bytes(), ",")
        # A manual correction of one minute at 09:00 (manual wins over the device's counts).
        late = [{"serial": late_serial, "line": 1, "length": 60, "in": 999, "out": 0,
                 "start": local_midnight_ts(late_day, LONDON) + 9 * 3600, "source": "manual"}]
        response = client.post("/api/v1/ingest/counts", json=late, headers=a.headers)
        assert response.status_code == 200, response.text
        again = run(engine, hub_settings, now + timedelta(minutes=1))
        assert [(r["file_name"], r["trigger"], r["status"]) for r in again] == [
            (late_name, "restated", "delivered")]
        rows = read_delimited((server.root / late_name).read_bytes(), ",")
        assert rows == expected(client, a, late_serial, late_day) != before
        assert [r["time"] for r in rows if r["in"] == 999] == ["09:00"]
    with read_tx(engine) as conn:
        stamps = dict(conn.execute(select(delivered_day.c.run_id, delivered_day.c.revision_us)).all())
    assert stamps[again[0]["id"]] == again[0]["revision_us"] > 0
    assert created["kind"] == "counter_daily"
