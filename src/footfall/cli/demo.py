"""`footfall demo`: build the sample estate (idempotently) and serve it with a ready token."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import typer
from sqlalchemy.engine import Connection

from footfall.cli.hub import database, describe, load_settings
from footfall.cli.output import progress_bar, stderr, user_errors
from footfall.cli.rollup import refresh_with_progress
from footfall.cli.serve import API_PREFIX, base_url, run_server
from footfall.demo.estate import DemoEstate, build_demo
from footfall.demo.layout import COMPANY, DEFAULT_DAYS, DEFAULT_SEED, GROUP, SITES
from footfall.domain.timegrid import local_date, zone
from footfall.estate.tokens import create_token, list_tokens, revoke_token
from footfall.storage.engine import write_tx

TOKEN_NAME = "demo"


def fresh_token(conn: Connection, company_id: int) -> str:
    """A new demo token; earlier demo tokens are revoked so reruns leave one live secret."""
    for row in list_tokens(conn, company_id):
        if row["name"] == TOKEN_NAME and row["revoked_at"] is None:
            revoke_token(conn, company_id, row["id"])
    return create_token(conn, company_id, TOKEN_NAME)[1]


def what_to_try(url: str, token: str) -> str:
    """The demo's welcome text: addresses, the token and two requests to paste."""
    site = SITES[0]
    yesterday = local_date(int(time.time()), zone(site.timezone)) - timedelta(days=1)
    week_ago = yesterday - timedelta(days=6)
    query = f"level=site&id={site.code}&interval=hour&from={yesterday}&to={yesterday}"
    return "\n".join([
        "footfall demo: what to try",
        "",
        f"API:   {url}{API_PREFIX}",
        f"Docs:  {url}/docs",
        f"Token: {token}",
        "",
        f"{site.name} ({site.code}) by hour, yesterday:",
        f"  curl -H 'Authorization: Bearer {token}' \\",
        f"    '{url}{API_PREFIX}/counts?{query}'",
        "",
        "The same as CSV (a URL a spreadsheet or BI tool can open):",
        f"  curl '{url}{API_PREFIX}/counts?{query}&format=csv&access_token={token}'",
        "",
        "From the command line:",
        f"  footfall counters --company '{COMPANY}'",
        f"  footfall counts --company '{COMPANY}' --level site_group --id '{GROUP}' "
        f"--interval day --from {week_ago} --to {yesterday}",
    ])


def demo_command(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port to listen on"),
    data_dir: Path | None = typer.Option(None, "--data-dir",
                                         help="SQLite under this directory (default: FOOTFALL_DATA_DIR)"),
    days: int = typer.Option(DEFAULT_DAYS, "--days", min=1, max=400, help="days of history"),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="same seed, same data"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the API afterwards"),
) -> None:
    """Create the sample estate 'Demo Retail' (two stores, five counters) and serve it."""
    with user_errors():
        settings = load_settings(data_dir)
        with database(settings) as engine:
            stderr().print(f"Building the demo estate in {describe(settings)}")
            with progress_bar() as bar:
                task = bar.add_task("Ingesting demo data", total=None)
                built = build_demo(engine, days=days, seed=seed,
                                   on_progress=lambda done, total: bar.update(
                                       task, completed=done, total=total))
            refresh_with_progress(engine)
            with write_tx(engine) as conn:
                token = fresh_token(conn, built.company_id)
            _summary(built)
            url = base_url(host, port)
            # Plain text: the commands and the token must copy and paste without borders.
            typer.echo(what_to_try(url, token))
            if serve:
                run_server(settings, engine, host, port)


def _summary(built: DemoEstate) -> None:
    totals = built.totals
    stderr().print(f"{COMPANY}: sites {', '.join(built.site_codes)}, "
                   f"{len(built.counter_ids)} counters; stored {totals.accepted} new records "
                   f"({totals.duplicates} already there)")
    for error in totals.errors[:5]:
        stderr().print(f"[red]rejected:[/] {error}")
