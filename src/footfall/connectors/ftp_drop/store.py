"""The drop's rows: hosted FTP accounts, watched/remote sources and the processed-file log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.connectors.ftp_drop.config import FileFormat
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.security.passwords import hash_password
from footfall.storage.tables_file_drop import drop_account, drop_file, drop_source

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SOURCE_KINDS = ("watch", "remote")


def now() -> datetime:
    """The current instant, UTC-aware."""
    return datetime.now(UTC)


def account_home(data_dir: Path, company_id: int, username: str) -> Path:
    """Where an account's uploads land: `<data dir>/drop/<company id>/<username>`."""
    return data_dir / "drop" / str(company_id) / username


def source_folder(data_dir: Path, company_id: int, name: str) -> Path:
    """The local inbox (and archive) of a remote source's fetched files."""
    return data_dir / "drop" / str(company_id) / f"source-{name}"


def add_account(conn: Connection, company_id: int, username: str, password: str,
                fmt: FileFormat) -> dict[str, Any]:
    """Create a login of the hosted drop; the password is stored only as an argon2 hash."""
    if not USERNAME.match(username):
        raise Invalid(f"username {username!r}: letters, digits, '_', '.', '-' (1-100, not starting "
                      "with a symbol)", field="username")
    if len(password) < 8:
        raise Invalid("password: at least 8 characters", field="password")
    if conn.execute(select(drop_account.c.id).where(drop_account.c.username == username)).first():
        raise Conflict(f"username {username!r} is taken", field="username")
    conn.execute(insert(drop_account).values(
        company_id=company_id, username=username, password_hash=hash_password(password),
        file_format=fmt.model_dump(mode="json", by_alias=True), created_at=now()))
    return find_account(conn, username) or {}


def find_account(conn: Connection, username: str) -> dict[str, Any] | None:
    """An account by login name (any company: logins are unique hub-wide)."""
    row = conn.execute(select(drop_account).where(drop_account.c.username == username)).mappings().first()
    return dict(row) if row else None


def list_accounts(conn: Connection, company_id: int | None = None) -> list[dict[str, Any]]:
    """A company's accounts (every company's when None), by name; hashes left out."""
    query = select(drop_account.c.id, drop_account.c.company_id, drop_account.c.username,
                   drop_account.c.file_format, drop_account.c.created_at).order_by(drop_account.c.username)
    if company_id is not None:
        query = query.where(drop_account.c.company_id == company_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def remove_account(conn: Connection, company_id: int, username: str) -> None:
    """Delete a company's account (its home folder and archive stay on disk)."""
    done = conn.execute(delete(drop_account).where(drop_account.c.company_id == company_id,
                                                   drop_account.c.username == username))
    if not done.rowcount:
        raise NotFound(f"no drop account {username!r} in this company", field="username")


def add_source(conn: Connection, company_id: int, name: str, kind: str, settings: dict[str, Any],
               password_sealed: str | None, fmt: FileFormat) -> int:
    """Register a watched folder or a remote folder; the password arrives already sealed."""
    if kind not in SOURCE_KINDS or not USERNAME.match(name):
        raise Invalid(f"source {name!r} of kind {kind!r}: kind is watch or remote, the name a "
                      "plain word", field="name")
    taken = select(drop_source.c.id).where(drop_source.c.company_id == company_id, drop_source.c.name == name)
    if conn.execute(taken).first():
        raise Conflict(f"a drop source named {name!r} exists", field="name")
    return int(conn.execute(insert(drop_source).values(
        company_id=company_id, name=name, kind=kind, settings=settings, password_sealed=password_sealed,
        file_format=fmt.model_dump(mode="json", by_alias=True), created_at=now(), failures=0,
    ).returning(drop_source.c.id)).scalar_one())


def list_sources(conn: Connection, company_id: int | None = None) -> list[dict[str, Any]]:
    """Sources of a company (of every company when None), by name."""
    query = select(drop_source).order_by(drop_source.c.company_id, drop_source.c.name)
    if company_id is not None:
        query = query.where(drop_source.c.company_id == company_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def remove_source(conn: Connection, company_id: int, name: str) -> None:
    """Forget a source (files already taken stay archived)."""
    done = conn.execute(delete(drop_source).where(drop_source.c.company_id == company_id,
                                                  drop_source.c.name == name))
    if not done.rowcount:
        raise NotFound(f"no drop source {name!r} in this company", field="name")


def record_attempt(conn: Connection, source_id: int, error: str | None) -> None:
    """A source's health after one look: success clears the failure count, an error adds one."""
    at = now()
    values: dict[str, Any] = {"last_attempt_at": at}
    if error is None:
        values.update(last_success_at=at, failures=0)
    else:
        values.update(last_error=error[:2000], last_error_at=at, failures=drop_source.c.failures + 1)
    conn.execute(update(drop_source).where(drop_source.c.id == source_id).values(values))


def start_file(conn: Connection, company_id: int, origin: str, name: str, sha256: str, size: int,
               status: str, rows: int = 0, error: str | None = None) -> int:
    """Log a file the drop took: `ingesting` before its first batch, or `rejected` at once."""
    finished = now() if status != "ingesting" else None
    return int(conn.execute(insert(drop_file).values(
        company_id=company_id, origin=origin, name=name, sha256=sha256, size_bytes=size, status=status,
        rows=rows, error=error, started_at=now(), finished_at=finished,
    ).returning(drop_file.c.id)).scalar_one())


def finish_file(conn: Connection, file_id: int, status: str, rows: int, error: str | None = None) -> None:
    """Mark a logged file `done` (every batch committed) or note why ingesting stopped."""
    values: dict[str, Any] = {"status": status, "rows": rows, "error": error}
    if status != "ingesting":
        values["finished_at"] = now()
    conn.execute(update(drop_file).where(drop_file.c.id == file_id).values(values))


def already_done(conn: Connection, company_id: int, origin: str, name: str, sha256: str) -> bool:
    """Whether this very content was already ingested from this origin under this name."""
    query = select(drop_file.c.id).where(
        drop_file.c.company_id == company_id, drop_file.c.origin == origin, drop_file.c.name == name,
        drop_file.c.sha256 == sha256, drop_file.c.status == "done")
    return conn.execute(query.limit(1)).first() is not None


def file_log(conn: Connection, company_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """The company's most recent files, newest first."""
    query = (select(drop_file).where(drop_file.c.company_id == company_id)
             .order_by(drop_file.c.id.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]
