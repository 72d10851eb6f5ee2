"""Automated import schedules of a company (the seeds' Automate Upload), at rest.

A schedule names where files are picked up (a local folder, or an FTP / FTPS / SFTP
directory), which files (a glob pattern), how they are read (a saved profile), how often,
and who is told when an import fails. Its password is sealed with the hub's secret box and
never returned: the API shows `password_set` instead.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, as_utc, utcnow
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.sales.profiles import get_profile
from footfall.security.secrets import SecretBox
from footfall.storage.tables_sales import sales_schedule

PROTOCOLS = ("folder", "ftp", "ftps", "ftps_implicit", "sftp")
MIN_EVERY_S = 60
EDITABLE = ("name", "profile_name", "protocol", "host", "port", "username", "password", "directory",
            "archive_directory", "passive", "known_hosts", "pattern", "every_s", "notify_email",
            "valid_rows_only", "enabled")
DEFAULTS: dict[str, Any] = {"protocol": "folder", "passive": True, "pattern": "*.csv", "every_s": 3600,
                            "valid_rows_only": False, "enabled": True}


def _check(conn: Connection, company_id: int, values: dict[str, Any]) -> None:
    """Refuse a schedule that cannot run, naming the field (no network is touched)."""
    if values.get("protocol") not in PROTOCOLS:
        raise Invalid(f"protocol must be one of {', '.join(PROTOCOLS)}", field="protocol")
    if not str(values.get("directory") or "").strip():
        raise Invalid("directory: where the files are picked up from", field="directory")
    if values["protocol"] != "folder":
        if not values.get("host"):
            raise Invalid(f"host is required for {values['protocol']}", field="host")
        if values.get("archive_directory"):
            raise Invalid("archive_directory is for local folders; remote files are renamed in "
                          "place (name.imported-ID / name.failed-ID)", field="archive_directory")
    if int(values.get("every_s") or 0) < MIN_EVERY_S:
        raise Invalid(f"every_s must be at least {MIN_EVERY_S} seconds", field="every_s")
    email = values.get("notify_email")
    if email and ("@" not in email or any(c.isspace() for c in email)):
        raise Invalid(f"notify_email {email!r} is not an e-mail address", field="notify_email")
    if values.get("profile_name"):
        get_profile(conn, company_id, values["profile_name"])


def _public(row: Any) -> Row:
    values = dict(row._mapping)
    values["password_set"] = bool(values.pop("password_sealed"))
    for key in ("created_at", "last_run_at"):
        values[key] = as_utc(values[key])
    return values


def _taken(conn: Connection, company_id: int, name: str, own_id: int | None) -> None:
    found = conn.execute(select(sales_schedule.c.id).where(
        sales_schedule.c.company_id == company_id, sales_schedule.c.name == name)).scalar()
    if found is not None and found != own_id:
        raise Conflict(f"name: a sales schedule named {name!r} already exists", field="name")


def _sealed(values: dict[str, Any], box: SecretBox) -> dict[str, Any]:
    stored = {k: v for k, v in values.items() if k != "password"}
    if "password" in values:
        stored["password_sealed"] = box.seal(values["password"]) if values["password"] else None
    return stored


def create_schedule(conn: Connection, company_id: int, values: dict[str, Any], box: SecretBox) -> Row:
    """Save a schedule; its first run is due at once."""
    merged = {**DEFAULTS, **values}
    _check(conn, company_id, merged)
    _taken(conn, company_id, merged["name"], None)
    new_id = conn.execute(insert(sales_schedule).values(
        company_id=company_id, created_at=utcnow(), next_run_ts=int(time.time()),
        **_sealed(merged, box)).returning(sales_schedule.c.id)).scalar_one()
    return get_schedule(conn, company_id, new_id)


def get_schedule(conn: Connection, company_id: int, schedule_id: int) -> Row:
    """One schedule of the company (without its password)."""
    row = conn.execute(select(sales_schedule).where(sales_schedule.c.id == schedule_id,
                                                    sales_schedule.c.company_id == company_id)).first()
    if row is None:
        raise NotFound(f"schedule {schedule_id}: no such sales schedule", field="id")
    return _public(row)


def list_schedules(conn: Connection, company_id: int) -> list[Row]:
    """The company's schedules by name."""
    rows = conn.execute(select(sales_schedule).where(sales_schedule.c.company_id == company_id)
                        .order_by(sales_schedule.c.name))
    return [_public(r) for r in rows]


def update_schedule(conn: Connection, company_id: int, schedule_id: int, changes: dict[str, Any],
                    box: SecretBox) -> Row:
    """Change the fields sent; the whole schedule is checked again."""
    current = get_schedule(conn, company_id, schedule_id)
    merged = {k: current[k] for k in EDITABLE if k != "password"} | changes
    _check(conn, company_id, merged)
    _taken(conn, company_id, merged["name"], schedule_id)
    conn.execute(update(sales_schedule).where(sales_schedule.c.id == schedule_id)
                 .values(**_sealed(changes, box)))
    return get_schedule(conn, company_id, schedule_id)


def delete_schedule(conn: Connection, company_id: int, schedule_id: int) -> None:
    """Remove a schedule; its imports stay in the history."""
    get_schedule(conn, company_id, schedule_id)
    conn.execute(delete(sales_schedule).where(sales_schedule.c.id == schedule_id))
