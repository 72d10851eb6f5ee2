"""`footfall demo`: a simulated fleet as the estate, its history, then the hub with the fleet pushing live."""

from __future__ import annotations

import asyncio
import secrets
import time
from datetime import timedelta
from pathlib import Path

import typer
from sqlalchemy.engine import Connection, Engine

from footfall.cli.hub import database, describe, load_settings
from footfall.cli.output import progress_bar, stderr, user_errors
from footfall.cli.rollup import refresh_with_progress
from footfall.cli.serve import API_PREFIX, base_url
from footfall.demo.build import DemoBuild, build_demo
from footfall.demo.fleet import COMPANY, DEFAULT_DAYS, DEFAULT_SEED, GROUP, demo_fleet
from footfall.domain.timegrid import local_date, zone
from footfall.estate.errors import NotFound
from footfall.estate.tokens import create_token, list_tokens, revoke_token
from footfall.estate.users import update_user
from footfall.simulator.fleet import Fleet
from footfall.storage.engine import write_tx

TOKEN_NAME = "demo"
ADMIN_EMAIL = "admin@demo.example"


def fresh_token(conn: Connection, company_id: int) -> str:
    """A new demo token; earlier demo tokens are revoked so reruns leave one live secret."""
    for row in list_tokens(conn, company_id):
        if row["name"] == TOKEN_NAME and row["revoked_at"] is None:
            revoke_token(conn, company_id, row["id"])
    return create_token(conn, company_id, TOKEN_NAME)[1]


def fresh_admin(conn: Connection, company_id: int) -> str:
    """The portal admin's password, new each run (the account is created on the first)."""
    from footfall.portal.accounts import create_portal_user, find_user_id

    password = secrets.token_urlsafe(12)
    try:
        update_user(conn, company_id, find_user_id(conn, company_id, ADMIN_EMAIL), {"password": password})
    except NotFound:
        create_portal_user(conn, company_id, ADMIN_EMAIL, password, "admin")
    return password


def what_to_try(url: str, token: str, fleet: Fleet, password: str = "") -> str:
    """The demo's welcome text: addresses, the token and requests to paste."""
    site = fleet.sites[0]
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
        f"Portal: {url}/portal  (sign in as {ADMIN_EMAIL} / {password})",
        "",
        f"{site.name} ({site.code}) by hour, yesterday:",
        f"  curl -H 'Authorization: Bearer {token}' \\",
        f"    '{url}{API_PREFIX}/counts?{query}'",
        "",
        "The same as CSV (a URL a spreadsheet or BI tool can open):",
        f"  curl '{url}{API_PREFIX}/counts?{query}&format=csv&access_token={token}'",
        "",
        f"Live, as the counters push (WebSocket and MQTT), {site.code}'s events and occupancy:",
        f"  curl -N -H 'Authorization: Bearer {token}' '{url}{API_PREFIX}/sites/<site id>/live'",
        "",
        "From the command line:",
        f"  footfall counters --company '{COMPANY}'",
        f"  footfall counts --company '{COMPANY}' --level site_group --id '{GROUP}' "
        f"--interval day --from {week_ago} --to {yesterday}",
    ])


def _build(engine: Engine, fleet: Fleet, days: int) -> DemoBuild:
    with progress_bar() as bar:
        task = bar.add_task("Ingesting history", total=len(fleet.counters))
        built = build_demo(engine, fleet, days, int(time.time()),
                           on_progress=lambda done, total: bar.update(task, completed=done))
    stderr().print(f"{COMPANY}: sites {', '.join(built.estate.site_ids)}, "
                   f"{len(built.estate.counter_ids)} counters; stored {built.stored} new 15-minute counts")
    for error in built.errors[:5]:
        stderr().print(f"[red]rejected:[/] {error}")
    return built


def demo_command(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port of the API and the counters' WebSocket"),
    mqtt_port: int = typer.Option(0, "--mqtt-port", help="port of the in-process MQTT broker (0: any free)"),
    data_dir: Path | None = typer.Option(None, "--data-dir",
                                         help="SQLite under this directory (default: FOOTFALL_DATA_DIR)"),
    days: int = typer.Option(DEFAULT_DAYS, "--days", min=1, max=400, help="days of history"),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="same seed, same estate and traffic"),
    serve: bool = typer.Option(True, "--serve/--no-serve",
                               help="serve with the fleet pushing live afterwards"),
) -> None:
    """Build 'Demo Retail' from a simulated fleet, then serve it with the counters pushing live."""
    from footfall.demo.live import LiveAddresses, serve_with_fleet
    from footfall.simulator.runner import FleetRunner

    with user_errors():
        settings = load_settings(data_dir)
        fleet = demo_fleet(seed)
        with database(settings) as engine:
            stderr().print(f"Building the demo estate in {describe(settings)}")
            estate = _build(engine, fleet, days).estate
            refresh_with_progress(engine)
            with write_tx(engine) as conn:
                token = fresh_token(conn, estate.company_id)
                password = fresh_admin(conn, estate.company_id)
            url = base_url(host, port)
            # Plain text: the commands and the token must copy and paste without borders.
            typer.echo(what_to_try(url, token, fleet, password))
            if not serve:
                return

            def ready(addresses: LiveAddresses, runner: FleetRunner) -> None:
                ws = len(runner.ws)
                typer.echo(f"\nLive: {ws} counters push to {addresses.websocket}, {len(runner.mqtt)} "
                           f"publish to {addresses.mqtt} (in-process broker). Ctrl-C stops.")

            asyncio.run(serve_with_fleet(settings, engine, fleet, estate.company_id, host=host, port=port,
                                         mqtt_port=mqtt_port, on_ready=ready))
