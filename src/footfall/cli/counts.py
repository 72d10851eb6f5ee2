"""`footfall counts`: the counts report as a table, CSV or JSON (the API's data twin)."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import typer
from rich.table import Table

from footfall.cli.hub import company_id, database, load_settings
from footfall.cli.output import fail, stdout, user_errors
from footfall.cli.rollup import refresh_with_progress
from footfall.domain.metrics import METRICS
from footfall.domain.timegrid import SUB_DAY_SECONDS, Interval
from footfall.query.counts import CountsRequest, counter_ids, public, report
from footfall.query.csvout import to_csv
from footfall.query.scope import Level
from footfall.storage.engine import read_tx


class Format(StrEnum):
    """How `footfall counts` prints the report."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


# (header, report key) of the table after the Start column; `None` shows as a dash.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("In", "in"), ("Out", "out"), ("Staff in", "staff_in"), ("Staff out", "staff_out"),
    ("Outside", "outside_traffic"), ("Turn-in", "turn_in_rate"), ("Occupancy", "occupancy"),
    ("Aggregation", "aggregation_status"), ("Verification", "verification_status"),
)


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date (YYYY-MM-DD)")


def _start(value: str, interval: Interval) -> str:
    """A bucket start for the table: local date and time with offset, or the date alone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if interval not in SUB_DAY_SECONDS:
        return moment.date().isoformat()
    return moment.isoformat(sep=" ", timespec="minutes")


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key == "turn_in_rate":
        return f"{value:.1%}"
    if key == "aggregation_status" and value != "complete":
        return f"[yellow]{value}[/]"
    return str(value)


def render_table(rows: list[dict[str, Any]], title: str, interval: Interval) -> Table:
    """The report as a rich table, one row per bucket."""
    table = Table(title=title)
    table.add_column("Start", no_wrap=True)
    for header, key in COLUMNS:
        table.add_column(header, justify="left" if key.endswith("status") else "right")
    for row in rows:
        table.add_row(_start(row["start"], interval), *(_cell(k, row[k]) for _h, k in COLUMNS))
    return table


def counts_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    level: Level = typer.Option(Level.SITE, "--level", help="what to report on"),
    ident: str | None = typer.Option(None, "--id", help="site code, counter serial, area or group "
                                     "name, or id (not needed for --level company)"),
    interval: Interval = typer.Option(Interval.HOUR, "--interval", help="bucket width"),
    first: str = typer.Option(..., "--from", help="first local date, YYYY-MM-DD"),
    last: str = typer.Option(..., "--to", help="last local date (inclusive), YYYY-MM-DD"),
    output: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json"),
) -> None:
    """Print counts per bucket in each site's local time, with aggregation and verification status."""
    if ident is None and level is not Level.COMPANY:
        fail(f"--id is required for --level {level.value}")
    with user_errors():
        settings = load_settings()
        with database(settings) as engine:
            with read_tx(engine) as conn:
                request = CountsRequest(company_id(conn, company), level, ident or "", interval,
                                        _day(first, "--from"), _day(last, "--to"))
                request.check()
                ids = counter_ids(conn, request)
            refresh_with_progress(engine, ids)
            with read_tx(engine) as conn:
                rows = public(report(conn, request, int(time.time()), settings.policy))
    if output is Format.CSV:
        typer.echo(to_csv(rows, [m.key for m in METRICS]), nl=False)
    elif output is Format.JSON:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        title = f"{level.value} {ident or company} · {interval.value} · {request.first} to {request.last}"
        stdout().print(render_table(rows, title, interval))
        _note_gaps(rows)


def _note_gaps(rows: list[dict[str, Any]]) -> None:
    missing = sorted({serial for row in rows for serial in row["missing_counters"]})
    partial = sum(row["aggregation_status"] == "partial" for row in rows)
    if partial:
        stdout().print(f"{partial} partial bucket(s); counters that did not cover them: "
                       f"{', '.join(missing)}")
