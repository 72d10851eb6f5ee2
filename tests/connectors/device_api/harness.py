"""The device API tests' rig: the simulator's real HTTP devices in their own loop, and a hub estate."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import store
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.fleet import Fleet
from footfall.simulator.truth import minute_iso, truth_rows
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import count_cell, counter
from footfall.storage.tables_pull import pull_state
from tests.simulator.devices_harness import Devices, SteppedClock  # noqa: F401 - the tests' names


def register(
    engine: Engine,
    fleet: Fleet,
    server: DeviceApiServer,
    box: SecretBox,
    company: str = "Pulled Retail",
    **login: object,
) -> dict[str, int]:
    """A company with the fleet's sites and counters (channel device_api); counter id by serial."""
    ids: dict[str, int] = {}
    with write_tx(engine) as conn:
        company_id = create_company(conn, company)["id"]
        sites = {
            s.code: create_site(conn, company_id, code=s.code, name=s.name, timezone=s.timezone)["id"]
            for s in fleet.sites
        }
        for spec in fleet.counters:
            address = urlsplit(server.endpoint(spec.serial))
            row = create_counter(
                conn,
                company_id,
                spec.serial,
                name=f"door {spec.door}",
                site_id=sites[spec.site_code],
                channel="device_api",
                host=address.hostname,
                port=address.port,
            )
            store.save_login(
                conn,
                row["id"],
                {
                    "username": spec.username,
                    "password_sealed": box.seal(spec.password),
                    "data_type": "json",
                    "resolution": "minute",
                    "resolution_step": 1,
                    **login,
                },
            )
            ids[spec.serial] = row["id"]
    return ids


Minutes = dict[tuple[str, int, str], list[int]]


def truth_minutes(fleet: Fleet, start: int, end: int) -> Minutes:
    """The simulator's ground truth: (serial, line, UTC minute) → [in, out, staff in, staff out]."""
    return {
        (r.serial, r.line, r.minute_utc): [r.in_, r.out, r.staff_in, r.staff_out]
        for r in truth_rows(fleet, start, end)
    }


def hub_minutes(engine: Engine, start: int, end: int, source: str = "device_api") -> Minutes:
    """The hub's stored reported counts, summed per minute, zero minutes left out like the truth."""
    found: dict[tuple[str, int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    query = (
        select(
            counter.c.serial,
            count_cell.c.roi_id,
            count_cell.c.start_ts,
            count_cell.c.in_count,
            count_cell.c.out_count,
            count_cell.c.staff_in,
            count_cell.c.staff_out,
        )
        .join(counter, counter.c.id == count_cell.c.counter_id)
        .where(count_cell.c.source == source, count_cell.c.start_ts >= start, count_cell.c.start_ts < end)
    )
    with read_tx(engine) as conn:
        for serial, roi, at, *values in conn.execute(query):
            cell = found[(serial, roi, minute_iso(at))]
            for i, value in enumerate(values):
                cell[i] += value
    return {key: value for key, value in found.items() if any(value)}


def cells(engine: Engine) -> int:
    """How many reported-count cells the hub holds."""
    with read_tx(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(count_cell)).scalar_one())


def state(engine: Engine, counter_id: int) -> dict[str, object]:
    """The counter's device_api pull_state row ({} before the first pull)."""
    with read_tx(engine) as conn:
        row = (
            conn.execute(
                select(pull_state).where(
                    pull_state.c.counter_id == counter_id, pull_state.c.channel == "device_api"
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else {}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """Epoch seconds of a UTC wall time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())
