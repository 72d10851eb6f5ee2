"""`footfall deliveries …`: scheduled e-mail / FTP / SFTP deliveries from the command line."""

from __future__ import annotations

import asyncio
import sys
from typing import Any
from urllib.parse import unquote, urlsplit

import typer
from rich.table import Table

from footfall.cli.hub import company_id, database, load_settings
from footfall.cli.output import fail, moment, stdout, user_errors
from footfall.delivery import runs, store
from footfall.delivery.model import Delivery
from footfall.delivery.runner import Hub
from footfall.delivery.service import run_due, run_now
from footfall.estate.common import Row, utcnow
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx, write_tx

app = typer.Typer(help="Scheduled deliveries: export files sent by e-mail, FTP, FTPS or SFTP.",
                  no_args_is_help=True)
_SCHEMES = {"ftp": "ftp", "ftps": "ftps", "ftps-implicit": "ftps_implicit",
            "ftps_implicit": "ftps_implicit", "sftp": "sftp"}


def destination_fields(url: str) -> dict[str, Any]:
    """`sftp://user@host:22/dir`, `ftps://…`, `ftps-implicit://…`, `ftp://…` or `mailto:a@b,c@d`."""
    if url.startswith("mailto:"):
        recipients = [r.strip() for r in url[len("mailto:"):].split(",") if r.strip()]
        return {"destination": "email", "recipients": recipients}
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise typer.BadParameter(f"--to {url!r}: use ftp://, ftps://, ftps-implicit://, sftp:// or "
                                 "mailto:", param_hint="--to")
    if parts.password:
        raise typer.BadParameter("--to: do not put the password in the URL (it stays in shell "
                                 "history); pipe it in with --password-stdin", param_hint="--to")
    try:
        port = parts.port
    except ValueError:
        raise typer.BadParameter(f"--to {url!r}: the port is not a number", param_hint="--to") from None
    return {"destination": _SCHEMES[parts.scheme], "host": parts.hostname, "port": port,
            "username": unquote(parts.username) if parts.username else None,
            "directory": parts.path or "/"}


def _runs_table(rows: list[Row], title: str) -> Table:
    table = Table(title=title)
    for header in ("Started", "Occurrence", "Status", "Tries", "Rows", "Bytes", "File", "Error"):
        table.add_column(header)
    for row in rows:
        table.add_row(moment(row["started_at"]), row["occurrence_key"], row["status"],
                      str(row["attempts"]), str(row["rows"] or "-"), str(row["bytes"] or "-"),
                      row["file_name"] or "-", row["error"] or "")
    return table


@app.command("list")
def list_command(company: str = typer.Option(..., "--company", help="the company's name")) -> None:
    """List the company's deliveries."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        rows = store.list_deliveries(conn, company_id(conn, company))
    table = Table(title=f"Deliveries of {company}")
    for header in ("Id", "Name", "Kind", "What", "When", "Where", "Active"):
        table.add_column(header)
    for row in rows:
        shown = Delivery.from_row(row)
        ids = "all" if row["ids"] == "all" else ",".join(row["ids"])
        when = f"{row['frequency']} {row['at_time']} {row['timezone']}"
        table.add_row(str(row["id"]), row["name"], row["kind"],
                      f"{row['level']} {ids} · {row['interval']} · {row['format']}", when,
                      shown.describe_destination(), "yes" if row["active"] else "no")
    stdout().print(table)


@app.command("add")
def add_command(
    company: str = typer.Option(..., "--company", help="the company's name"),
    name: str = typer.Option(..., "--name", help="a name for the delivery, unique in the company"),
    to: str = typer.Option(..., "--to", help="sftp://user@host/dir, ftp://, ftps://, "
                           "ftps-implicit://, or mailto:a@example.com,b@example.com"),
    ids: str = typer.Option(..., "--ids", help="comma-separated ids / codes / serials, or 'all'"),
    level: str = typer.Option("site", "--level", help="counter, area, site or site_group"),
    kind: str = typer.Option("export", "--kind",
                             help="export, or counter_daily (a file per counter per day)"),
    interval: str | None = typer.Option(None, "--interval", help="minute, 15min, hour, day, week, month"),
    file_format: str = typer.Option("csv", "--format", help="csv, xlsx, txt, json or xml"),
    columns: str | None = typer.Option(None, "--columns", help="comma-separated column keys, in order"),
    frequency: str = typer.Option("daily", "--frequency", help="hourly, daily or weekly"),
    at: str | None = typer.Option(None, "--at", help="local time HH:MM (hourly: its minute)"),
    weekday: str = typer.Option("mon", "--weekday", help="weekly: mon … sun"),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA zone of --at"),
    file_name: str | None = typer.Option(None, "--file-name",
                                         help="pattern, e.g. footfall_{site}_{date:%Y%m%d}.{ext}"),
    failure_email: str | None = typer.Option(None, "--failure-email", help="told when a run fails"),
    retries: int = typer.Option(3, "--retries", help="retries before giving up"),
    retry_delay: float = typer.Option(60.0, "--retry-delay", help="first retry delay in seconds (doubles)"),
    active_mode: bool = typer.Option(False, "--active-mode", help="FTP active instead of passive mode"),
    no_verify_tls: bool = typer.Option(False, "--no-verify-tls", help="FTPS: accept any certificate"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
) -> None:
    """Add a scheduled delivery."""
    fields: dict[str, Any] = {
        "name": name, "kind": kind, "level": level, "format": file_format, "frequency": frequency,
        "weekday": weekday, "timezone": timezone, "retries": retries, "retry_delay_s": retry_delay,
        "passive": not active_mode, "verify_tls": not no_verify_tls,
        "ids": "all" if ids.strip() == "all" else [i.strip() for i in ids.split(",") if i.strip()],
        **destination_fields(to),
    }
    optional = {"interval": interval, "at": at, "file_name": file_name, "failure_email": failure_email,
                "columns": [c.strip() for c in columns.split(",")] if columns else None}
    fields.update({k: v for k, v in optional.items() if v is not None})
    if password_stdin:
        fields["password"] = sys.stdin.readline().rstrip("\r\n")
    settings = load_settings()
    with user_errors(), database(settings) as engine, write_tx(engine) as conn:
        row = store.create_delivery(conn, company_id(conn, company), fields, secret_box(settings),
                                    utcnow())
    stdout().print(f"Added delivery {row['name']!r} (id {row['id']}): {row['frequency']} at "
                   f"{row['at_time']} {row['timezone']} to "
                   f"{Delivery.from_row(row).describe_destination()}.")


@app.command("run")
def run_command(
    name: str | None = typer.Argument(None, help="the delivery's name or id: run it now"),
    company: str | None = typer.Option(None, "--company", help="the company's name"),
    due: bool = typer.Option(False, "--due", help="run every due occurrence of every company once "
                             "(for cron; each occurrence runs once however many hubs run this)"),
) -> None:
    """Run one delivery now, or every due occurrence (--due)."""
    if due == (name is not None):
        fail("give a delivery name with --company, or --due")
    settings = load_settings()
    with user_errors(), database(settings) as engine:
        hub = Hub.from_settings(settings, engine)
        if due:
            made = asyncio.run(run_due(hub))
        else:
            if company is None:
                fail("--company is needed with a delivery name")
            with read_tx(engine) as conn:
                target = Delivery.from_row(store.find_delivery(conn, company_id(conn, company), name or ""))
            made = asyncio.run(run_now(hub, target))
    for row in made:
        stdout().print(f"{row['occurrence_key']}: {row['status']}, {row['rows'] or 0} rows, "
                       f"{row['bytes'] or 0} bytes → {row['destination']}"
                       + (f" ({row['error']})" if row["error"] else ""))
    if not made:
        stdout().print("nothing to run")
    if any(row["status"] != "delivered" for row in made):
        raise typer.Exit(2)


@app.command("history")
def history_command(
    name: str = typer.Argument(..., help="the delivery's name or id"),
    company: str = typer.Option(..., "--company", help="the company's name"),
    limit: int = typer.Option(20, "--limit", help="how many runs, newest first"),
) -> None:
    """Show a delivery's runs: when, rows, bytes, status, error."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        owner = company_id(conn, company)
        row = store.find_delivery(conn, owner, name)
        found = runs.history(conn, owner, row["id"], limit)
    stdout().print(_runs_table(found, f"Runs of {row['name']}"))
