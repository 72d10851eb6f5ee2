"""`footfall export`: the export API's file, written by the CLI with a progress bar."""

from __future__ import annotations

from pathlib import Path

import typer

from footfall.cli.hub import company_id, database, load_settings
from footfall.cli.output import fail, progress_bar, stderr, user_errors
from footfall.export import FORMATS, ExportError, ExportNotFound, ExportRequest, write_export
from footfall.storage.engine import read_tx

# The CLI option behind each export parameter, for error messages.
OPTIONS = {"fromdate": "--from", "todate": "--to", "level": "--level", "ids": "--ids",
           "interval": "--interval", "format": "--format", "dateformat": "--dateformat",
           "timeformat": "--timeformat", "columns": "--columns", "bom": "--bom"}


def _format(chosen: str | None, out: Path) -> str:
    """The format asked for, else the one the file name's extension says."""
    if chosen:
        return chosen
    suffix = out.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "csv"


def export_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    level: str = typer.Option("site", "--level", help="counter, area, site or site_group"),
    ids: str = typer.Option("all", "--ids", help="comma-separated ids / codes / serials, or all"),
    interval: str = typer.Option("hour", "--interval", help="minute, 15min, hour, day, week, month"),
    first: str = typer.Option(..., "--from", help="first local date, YYYY-MM-DD or YYYYMMDD"),
    last: str = typer.Option(..., "--to", help="last local date (inclusive)"),
    output: str | None = typer.Option(None, "--format",
                                      help="csv, xlsx, txt, json or xml (default: from --out)"),
    out: Path = typer.Option(..., "--out", help="the file to write", dir_okay=False),
    dateformat: str | None = typer.Option(None, "--dateformat", help="e.g. yyyyMMdd, dd/MM/yyyy"),
    timeformat: str | None = typer.Option(None, "--timeformat", help="e.g. HH:mm, hh:mm tt"),
    columns: str | None = typer.Option(None, "--columns", help="comma-separated column keys"),
    bom: bool = typer.Option(False, "--bom", help="start CSV/TXT with a UTF-8 byte order mark"),
) -> None:
    """Write counts of many counters, areas, sites or groups to one CSV/XLSX/TXT/JSON/XML file."""
    query = {"level": level, "ids": ids, "interval": interval, "fromdate": first, "todate": last,
             "format": _format(output, out), "dateformat": dateformat, "timeformat": timeformat,
             "columns": columns, "bom": bom}
    with user_errors():
        settings = load_settings()
        with database(settings) as engine:
            with read_tx(engine) as conn:
                owner = company_id(conn, company)
            try:
                request = ExportRequest.from_query(owner, query)
            except ExportError as error:
                fail(f"{OPTIONS.get(error.parameter, error.parameter)}: {error.message}")
            partial = out.with_name(out.name + ".part")
            try:
                with progress_bar() as bar, partial.open("wb") as file:
                    task = bar.add_task(f"Exporting {out.name}", total=None)

                    def advance(done: int, total: int, rows: int) -> None:
                        bar.update(task, completed=done, total=total,
                                   description=f"Exporting {out.name} ({rows:,} rows)")

                    stats = write_export(engine, request, file, settings.policy, progress=advance)
                partial.replace(out)  # a reader never sees half a file
            except ExportNotFound as error:
                partial.unlink(missing_ok=True)
                fail(str(error))
    stderr().print(f"wrote {stats.rows:,} rows, {stats.bytes:,} bytes to {out}")
