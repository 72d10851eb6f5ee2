"""The poller inside the hub (a background service), the probe, and a counter's config by serial."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from footfall.connectors.device_api import store
from footfall.connectors.device_api.client import DeviceClient, PullError
from footfall.connectors.device_api.config import DeviceApiConfig, PollerLimits
from footfall.connectors.device_api.connector import DeviceApiPoller
from footfall.connectors.device_api.parse import ReplyError, parse_reply
from footfall.connectors.device_api.store import PullTarget
from footfall.connectors.spec import ProbeFailed
from footfall.estate.errors import Invalid, NotFound
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox, secret_box
from footfall.settings import Settings
from footfall.storage.engine import read_tx
from footfall.storage.tables import company, counter

log = logging.getLogger(__name__)


async def run_poller(poller: DeviceApiPoller, tick_s: float) -> None:
    """Poll due counters every `tick_s` until cancelled; a failed round is logged and the next one runs."""
    while True:
        try:
            await poller.poll_due()
        except Exception:  # the database may be away for a while: keep the service alive
            log.exception("device API poller: a polling round failed")
        await asyncio.sleep(tick_s)


@asynccontextmanager
async def device_api_running(settings: Settings, engine: Engine, ingest: IngestCore,
                             limits: PollerLimits | None = None) -> AsyncIterator[DeviceApiPoller]:
    """Poll device_api counters while the hub runs (one query per tick when there are none)."""
    poller = DeviceApiPoller(engine, ingest, secret_box(settings), limits)
    task = asyncio.create_task(run_poller(poller, poller.limits.tick_s), name="device-api-poller")
    try:
        yield poller
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def probe(config: DeviceApiConfig) -> str:
    """Test connection: log in and read yesterday's hours once; ProbeFailed says what went wrong."""
    try:
        async with DeviceClient(config, PollerLimits(attempts=1)) as client:
            await client.login()
            body = await client.count({"data_type": config.data_type, "data_format": "hour"})
            reply = parse_reply(body, config.data_type)
    except (PullError, ReplyError) as error:
        raise ProbeFailed(str(error)) from None
    lines = sorted({line.roi_id for interval in reply.intervals for line in interval.lines})
    return (f"{config.describe()}: logged in as {config.username}; counter {reply.serial} "
            f"({reply.timezone}) answered {len(reply.intervals)} hourly intervals, lines {lines}")


def counter_config(settings: Settings, engine: Engine, serial: str, company_name: str | None = None
                   ) -> DeviceApiConfig:
    """The stored device API config of the counter with this serial (in `company_name`, if given)."""
    with read_tx(engine) as conn:
        return pull_target(conn, secret_box(settings), serial, company_name).config


def pull_target(conn: Connection, box: SecretBox, serial: str, company_name: str | None = None) -> PullTarget:
    """The device_api counter with this serial as a pull target; Invalid names what is missing."""
    counter_id = find_counter_id(conn, serial, company_name)
    targets, broken = store.load_targets(conn, box, counter_ids=[counter_id])
    if broken:
        raise Invalid(f"counter {serial}: {broken[0].error}", field=broken[0].error.split(":")[0])
    return targets[0]


def find_counter_id(conn: Connection, serial: str, company_name: str | None = None) -> int:
    """The id of the device_api counter with this serial; ambiguous serials need the company."""
    query = (select(counter.c.id, counter.c.channel, company.c.name)
             .join(company, company.c.id == counter.c.company_id).where(counter.c.serial == serial.strip()))
    if company_name is not None:
        query = query.where(company.c.name == company_name)
    rows = conn.execute(query).all()
    if not rows:
        where = f" in company {company_name!r}" if company_name else ""
        raise NotFound(f"serial {serial!r}: no such counter{where}", field="counter")
    if len(rows) > 1:
        names = ", ".join(sorted(r.name for r in rows))
        raise Invalid(f"serial {serial!r} is registered in several companies ({names}); give --company",
                      field="company")
    if rows[0].channel != store.CHANNEL:
        raise Invalid(f"counter {serial} is not pulled over the device API (channel "
                      f"{rows[0].channel!r}); set its channel to device_api", field="channel")
    return int(rows[0].id)
