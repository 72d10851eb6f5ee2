"""`footfall sales`: import sales files with progress, list profiles and the import history."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from footfall.cli.hub import company_id, database
from footfall.cli.output import moment, progress_bar, stderr, stdout, user_errors
from footfall.sales import profiles, store
from footfall.sales.importer import FAILED, IMPORTED, ImportRequest, import_sales
from footfall.storage.engine import read_tx

app = typer.Typer(help="Sales data: import files, mapping profiles, import history.",
                  no_args_is_help=True)
EXIT_FAILED = 1
EXIT_PARTIAL = 3


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="a CSV: StoreCode, DateTime (DD-MM-YYYY hh:mm), "
                                     "TotalTransactionQty, TotalTransactionValue"),
    company: str = typer.Option(..., "--company", help="the company's name"),
    profile: str | None = typer.Option(None, "--profile", help="a saved mapping profile "
                                       "(default: the seeds' column names and date format)"),
    valid_rows_only: bool = typer.Option(False, "--valid-rows-only", help="store the valid rows "
                                         "of a file with errors (default: all or nothing)"),
) -> None:
    """Import a sales file; exit 1 when nothing was imported, 3 when bad rows were left out."""
    with user_errors(), database() as engine:
        with read_tx(engine) as conn:
            owner = company_id(conn, company)
            mapping = profiles.load_profile(conn, owner, profile)
        request = ImportRequest(owner, file.name, "cli", mapping, profile, valid_rows_only)
        with progress_bar() as bar, file.open("rb") as stream:
            task = bar.add_task("Importing", total=file.stat().st_size)
            outcome = import_sales(engine, request, stream,
                                   progress=lambda done: bar.update(task, completed=done))
    out = stdout() if outcome.status != FAILED else stderr()
    out.print(f"import {outcome.import_id}: {outcome.status}: {outcome.message}", markup=False,
              soft_wrap=True)
    for error in outcome.errors:
        stderr().print(str(error), markup=False, soft_wrap=True)
    if outcome.error_count > len(outcome.errors):
        stderr().print(f"… and {outcome.error_count - len(outcome.errors)} more: "
                       f"GET /api/v1/sales/imports/{outcome.import_id}/log has them all")
    if outcome.status != IMPORTED:
        raise typer.Exit(EXIT_FAILED if outcome.status == FAILED else EXIT_PARTIAL)


@app.command("profiles")
def profiles_command(company: str = typer.Option(..., "--company", help="the company's name")) -> None:
    """The company's saved mapping profiles."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        rows = profiles.list_profiles(conn, company_id(conn, company))
    table = Table("Name", "StoreCode", "DateTime", "Qty", "Value", "Delimiter", "Encoding", "Date format")
    for r in rows:
        table.add_row(r["name"], r["store_code"], r["date_time"], r["quantity"], r["value"],
                      repr(r["delimiter"]), r["encoding"], r["date_format"])
    stdout().print(table)


@app.command("imports")
def imports_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
) -> None:
    """The import history, newest first."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        rows = store.list_imports(conn, company_id(conn, company), limit)
    table = Table("Id", "File", "When", "Source", "Status", "Rows", "Imported", "Errors", "Message")
    for r in rows:
        table.add_row(str(r["id"]), r["file_name"], moment(r["finished_at"]), r["source"], r["status"],
                      str(r["rows_total"]), str(r["rows_imported"]), str(r["error_count"]),
                      r["message"])
    stdout().print(table)
