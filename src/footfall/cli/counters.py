"""`footfall counter add` and `footfall counters`: the company's door counters."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.engine import Connection

from footfall.cli.hub import company_id, database
from footfall.cli.output import moment, stdout, user_errors
from footfall.estate.common import Row
from footfall.estate.counters import create_counter, find_counter, list_counters, update_counter
from footfall.estate.errors import Conflict, NotFound
from footfall.estate.sites import find_site, list_sites
from footfall.storage.engine import read_tx, write_tx

app = typer.Typer(help="Door counters.", no_args_is_help=True)


def _add_or_assign(conn: Connection, company: int, serial: str, name: str | None,
                   site_id: int | None) -> tuple[Row, str]:
    """Register a counter; one that already sent data (unassigned) is assigned instead."""
    try:
        existing = find_counter(conn, company, serial.strip())
    except NotFound:
        return create_counter(conn, company, serial, name, site_id), "Added"
    if existing["site_id"] is not None:
        raise Conflict(f"counter {existing['serial']} already exists (id {existing['id']}) and "
                       "is assigned to a site", field="serial")
    if site_id is None:
        raise Conflict(f"counter {existing['serial']} already exists unassigned (it sent data "
                       "first); give --site to assign it", field="serial")
    changes: dict[str, object] = {"site_id": site_id}
    if name is not None:
        changes["name"] = name
    # Its data so far was kept unassigned; assigning restates it under the site.
    return update_counter(conn, company, existing["id"], changes), "Assigned"


@app.command("add")
def add_counter(
    company: str = typer.Option(..., "--company", help="the company's name"),
    serial: str = typer.Option(..., "--serial", help="the device serial, e.g. 000000006afce315"),
    name: str | None = typer.Option(None, "--name", help="e.g. Main entrance"),
    site: str | None = typer.Option(None, "--site", help="code (or id) of the site it counts for"),
) -> None:
    """Register a counter (or assign one that already sent data) to a site."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        owner = company_id(conn, company)
        site_id = find_site(conn, owner, site)["id"] if site is not None else None
        row, verb = _add_or_assign(conn, owner, serial, name, site_id)
    where = f"site {site}" if site is not None else "no site yet (unassigned)"
    stdout().print(f"{verb} counter {row['serial']} (id {row['id']}) to {where}.")


def list_command(company: str = typer.Option(..., "--company", help="the company's name")) -> None:
    """List the company's counters with their site and health."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        owner = company_id(conn, company)
        codes = {s["id"]: s["code"] for s in list_sites(conn, owner)}
        rows = list_counters(conn, owner)
    table = Table(title=f"Counters of {company}")
    for header in ("Serial", "Name", "Site", "Assigned", "Last seen", "Last connection check"):
        table.add_column(header, no_wrap=header == "Serial")
    for row in rows:
        site_code = codes.get(row["site_id"], "-")
        table.add_row(row["serial"], row["name"] or "-", site_code,
                      "yes" if row["site_id"] is not None else "[yellow]no[/]",
                      moment(row["last_seen_at"]), moment(row["last_check_at"]))
    stdout().print(table)
    if not rows:
        stdout().print("No counters yet: add one with `footfall counter add`, or send data.")
