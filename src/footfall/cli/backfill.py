"""`footfall backfill --counter S --from D --to D`: pull a past range from a counter's own store."""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import typer

from footfall.cli.hub import database, load_settings
from footfall.cli.output import fail, progress_bar, stdout, user_errors
from footfall.connectors.device_api.client import PullError
from footfall.connectors.device_api.connector import DeviceApiPoller, PullOutcome
from footfall.connectors.device_api.service import pull_target
from footfall.connectors.device_api.windows import align_down, local_midnight, plan
from footfall.ingest.core import IngestCore
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx

NOON = clock_time(12)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date YYYY-MM-DD")


def backfill_command(
    counter: str = typer.Option(..., "--counter", help="the counter's serial (channel device_api)"),
    first: str = typer.Option(..., "--from", help="first local date, YYYY-MM-DD"),
    last: str = typer.Option(..., "--to", help="last local date (inclusive), YYYY-MM-DD"),
    company: str | None = typer.Option(None, "--company", help="its company, if the serial is in several"),
) -> None:
    """Pull the counter's intervals of the given local days (24 h per request); re-running is harmless."""
    start_day, end_day = _day(first, "--from"), _day(last, "--to")
    if end_day < start_day:
        fail(f"--to {end_day} is before --from {start_day}")
    settings = load_settings()
    with user_errors(), database(settings) as engine:
        box = secret_box(settings)
        with read_tx(engine) as conn:
            target = pull_target(conn, box, counter, company)
        zone = ZoneInfo(target.zone)
        # Local midnights of the counter's zone; never past its last complete interval.
        since = local_midnight(_noon(start_day, zone), zone)
        until = min(local_midnight(_noon(end_day + timedelta(days=1), zone), zone),
                    align_down(int(time.time()), target.config.interval_s, zone))
        if until <= since:
            fail(f"nothing to pull: {start_day} .. {end_day} has not begun yet on the counter's clock")
        ingest = IngestCore(engine)
        outcome = PullOutcome(target.counter_id, target.serial)
        try:
            with progress_bar() as progress:
                task = progress.add_task(f"counter {target.serial}",
                                         total=len(plan(since, until, zone, target.config.window_s)))
                poller = DeviceApiPoller(engine, ingest, box)
                asyncio.run(poller.fetch(target, since, until, outcome, advance=False,
                                         progress=lambda _window: progress.advance(task)))
        except PullError as error:
            fail(f"backfill of counter {target.serial} stopped after {outcome.windows} windows "
                 f"({outcome.records} counts kept): {error}")
        finally:
            ingest.close()
    stdout().print(f"Backfilled counter {target.serial} {start_day} .. {end_day}: {outcome.windows} windows, "
                   f"{outcome.records} interval counts.")


def _noon(day: date, zone: ZoneInfo) -> int:
    """Epoch seconds of local noon of `day` (a moment surely inside it, whatever DST does)."""
    return int(datetime.combine(day, NOON, tzinfo=zone).timestamp())
