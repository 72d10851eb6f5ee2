"""`footfall drop …`: logins of the hub's FTP drop and the folders it takes files from."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import typer
from pydantic import ValidationError
from rich.table import Table

from footfall.cli.hub import company_id, database, load_settings
from footfall.cli.output import fail, moment, stdout, user_errors
from footfall.connectors.ftp_drop.config import FileFormat, RemoteSource, WatchedFolder
from footfall.connectors.ftp_drop.store import (
    account_home,
    add_account,
    add_source,
    list_accounts,
    list_sources,
    remove_account,
    remove_source,
)
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx, write_tx

app = typer.Typer(help="The FTP drop: counters' daily files.", no_args_is_help=True)
account_app = typer.Typer(help="Logins of the hub's own FTP drop (FOOTFALL_DROP_PORT).", no_args_is_help=True)
source_app = typer.Typer(help="Watched folders and remote FTP/SFTP folders to take files from.",
                         no_args_is_help=True)
app.add_typer(account_app, name="account")
app.add_typer(source_app, name="source")

COMPANY = typer.Option(..., "--company", help="the company's name")


def _format(date_format: str, file_format: str, file_name: str, timezone: str | None) -> FileFormat:
    fields: dict[str, object] = {"date_format": date_format, "file_format": file_format,
                                 "file_name": file_name}
    if timezone:
        fields |= {"timezone": timezone, "columns": {"utc_offset": None}}
    try:
        return FileFormat.model_validate(fields)
    except ValidationError as error:
        fail(f"file layout: {error.errors()[0]['msg']}")


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@account_app.command("add")
def add_account_command(
    company: str = COMPANY,
    username: str = typer.Option(..., "--username", help="the login the counters use"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    date_format: str = typer.Option("%Y-%m-%d", "--date-format", help="the counter's date format"),
    file_format: str = typer.Option("csv", "--file-format", help="csv or txt"),
    file_name: str = typer.Option("{serial}_{date:%Y%m%d}.{ext}", "--file-name", help="name pattern"),
    timezone: str | None = typer.Option(None, "--timezone", help="zone of files without UtcOffset"),
) -> None:
    """Create a login; files uploaded with it are ingested for the company."""
    fmt = _format(date_format, file_format, file_name, timezone)
    password = _password(password_stdin)
    settings = load_settings()
    with user_errors(), database(settings) as engine, write_tx(engine) as conn:
        owner = company_id(conn, company)
        add_account(conn, owner, username, password, fmt)
    home = account_home(settings.data_dir, owner, username)
    stdout().print(f"Added drop account {username!r} for {company!r}; its files land in {home}.")


@account_app.command("list")
def list_accounts_command(company: str = COMPANY) -> None:
    """List the company's drop logins (passwords are never shown)."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        rows = list_accounts(conn, company_id(conn, company))
    table = Table("username", "file name", "date format", "created")
    for row in rows:
        fmt = row["file_format"]
        table.add_row(row["username"], fmt["file_name"], fmt["date_format"], moment(row["created_at"]))
    stdout().print(table)


@account_app.command("remove")
def remove_account_command(company: str = COMPANY,
                           username: str = typer.Option(..., "--username", help="the login")) -> None:
    """Delete a login (files already received stay archived)."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        remove_account(conn, company_id(conn, company), username)
    stdout().print(f"Removed drop account {username!r}.")


@source_app.command("add")
def add_source_command(
    company: str = COMPANY,
    name: str = typer.Option(..., "--name", help="a short name for the source"),
    watch: Path | None = typer.Option(None, "--watch", help="a local folder to watch"),
    remote: str | None = typer.Option(None, "--remote", help="sftp://user@host:22/dir, ftp://…, ftps://…"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    every_s: float = typer.Option(900.0, "--every", help="seconds between looks"),
    date_format: str = typer.Option("%Y-%m-%d", "--date-format", help="the counter's date format"),
    file_format: str = typer.Option("csv", "--file-format", help="csv or txt"),
    file_name: str = typer.Option("{serial}_{date:%Y%m%d}.{ext}", "--file-name", help="name pattern"),
    timezone: str | None = typer.Option(None, "--timezone", help="zone of files without UtcOffset"),
) -> None:
    """Take files from a watched folder or a remote folder (its password is sealed at rest)."""
    if (watch is None) == (remote is None):
        fail("give exactly one of --watch DIR or --remote URL")
    fmt = _format(date_format, file_format, file_name, timezone)
    settings = load_settings()
    sealed = None
    try:
        if watch is not None:
            folder = WatchedFolder(path=watch.resolve(), every_s=every_s)
            kind, config = "watch", folder.model_dump(mode="json")
        else:
            parts = urlsplit(remote or "")
            source = RemoteSource.model_validate({
                "protocol": parts.scheme, "host": parts.hostname or "", "port": parts.port,
                "username": unquote(parts.username or "anonymous"), "directory": parts.path or "/",
                "every_s": every_s})
            kind, config = "remote", source.model_dump(mode="json", exclude={"password"})
            sealed = secret_box(settings).seal(_password(password_stdin))
    except ValidationError as error:
        problem = error.errors()[0]
        fail(f"source: {'.'.join(map(str, problem['loc']))}: {problem['msg']}")
    with user_errors(), database(settings) as engine, write_tx(engine) as conn:
        add_source(conn, company_id(conn, company), name, kind, config, sealed, fmt)
    stdout().print(f"Added {kind} source {name!r}; `footfall serve` looks at it every {every_s:g} s.")


@source_app.command("list")
def list_sources_command(company: str = COMPANY) -> None:
    """List the company's sources with their health (last success, last error)."""
    with user_errors(), database() as engine, read_tx(engine) as conn:
        rows = list_sources(conn, company_id(conn, company))
    table = Table("name", "kind", "where", "last success", "failures", "last error")
    for row in rows:
        where = row["settings"].get("path") or f"{row['settings']['protocol']}://{row['settings']['host']}"
        table.add_row(row["name"], row["kind"], str(where), moment(row["last_success_at"]),
                      str(row["failures"]), row["last_error"] or "")
    stdout().print(table)


@source_app.command("remove")
def remove_source_command(company: str = COMPANY, name: str = typer.Option(..., "--name")) -> None:
    """Forget a source."""
    with user_errors(), database() as engine, write_tx(engine) as conn:
        remove_source(conn, company_id(conn, company), name)
    stdout().print(f"Removed drop source {name!r}.")
