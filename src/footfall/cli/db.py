"""`footfall db …`: database housekeeping."""

from __future__ import annotations

import typer

from footfall.cli.hub import describe, load_settings, open_database
from footfall.cli.output import stdout, user_errors

app = typer.Typer(help="Database housekeeping.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Migrate the configured database to the newest schema (safe to run again)."""
    with user_errors():
        settings = load_settings()
        open_database(settings).dispose()
    stdout().print(f"Database is up to date: {describe(settings)}")
