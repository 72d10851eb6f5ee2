"""The `footfall` command: wires each command group from its own module."""

from __future__ import annotations

import typer

from footfall.cli import counters, db, estate, sites
from footfall.cli.backfill import backfill_command
from footfall.cli.connectors import app as connectors_app
from footfall.cli.counts import counts_command
from footfall.cli.deliveries import app as deliveries_app
from footfall.cli.demo import demo_command
from footfall.cli.drop import app as drop_app
from footfall.cli.export import export_command
from footfall.cli.ingest import ingest_command
from footfall.cli.sales import app as sales_app
from footfall.cli.serve import serve_command
from footfall.cli.simulate import simulate_command
from footfall.portal import cli as portal_cli

app = typer.Typer(
    name="footfall",
    help="Self-hosted people-counting data hub.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.add_typer(db.app, name="db")
app.add_typer(estate.company_app, name="company")
app.add_typer(estate.token_app, name="token")
app.add_typer(sites.app, name="site")
app.add_typer(counters.app, name="counter")
app.add_typer(portal_cli.app, name="user")
app.command("counters")(counters.list_command)
app.command("ingest")(ingest_command)
app.command("counts")(counts_command)
app.add_typer(deliveries_app, name="deliveries")
app.command("export")(export_command)
app.command("simulate")(simulate_command)
app.add_typer(connectors_app, name="connectors")
app.add_typer(drop_app, name="drop")
app.command("backfill")(backfill_command)
app.add_typer(sales_app, name="sales")
