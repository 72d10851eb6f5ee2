"""`footfall site …`: the company's sites (stores, branches)."""

from __future__ import annotations

from typing import Any

import typer

from footfall.cli.hours import parse_opening_hours
from footfall.cli.hub import company_id, database
from footfall.cli.output import stdout, user_errors
from footfall.estate.sites import create_site
from footfall.storage.engine import write_tx

app = typer.Typer(help="Sites (stores, branches).", no_args_is_help=True)


@app.command("add")
def add_site(
    company: str = typer.Option(..., "--company", help="the company's name"),
    code: str = typer.Option(..., "--code", help="store code, unique in the company"),
    name: str = typer.Option(..., "--name", help="the site's name"),
    timezone: str = typer.Option(..., "--timezone", help="IANA time zone, e.g. Europe/London"),
    hours: str | None = typer.Option(None, "--hours",
                                     help="opening hours, e.g. 'mon-fri 09:00-18:00; sat 10:00-16:00'"),
    city: str | None = typer.Option(None, "--city"),
    region: str | None = typer.Option(None, "--region"),
    country: str | None = typer.Option(None, "--country"),
    capacity: int | None = typer.Option(None, "--capacity", help="people allowed inside"),
) -> None:
    """Add a site to a company."""
    fields: dict[str, Any] = {"city": city, "region": region, "country": country,
                              "capacity": capacity}
    with user_errors():
        if hours is not None:
            fields["opening_hours"] = parse_opening_hours(hours)
    fields = {key: value for key, value in fields.items() if value is not None}
    with user_errors(), database() as engine, write_tx(engine) as conn:
        row = create_site(conn, company_id(conn, company), code, name, timezone, **fields)
    stdout().print(f"Added site {row['code']} {row['name']!r} ({row['timezone']}, id {row['id']}).")
