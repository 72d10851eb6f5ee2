"""Counters (devices) of a company: registered by an admin or auto-created unassigned by ingest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.connectors.device_api import store as device_api
from footfall.connectors.device_api.config import STEPS
from footfall.connectors.device_api.guard import AddressRefused, check_host
from footfall.estate.common import Row, as_utc, check_fields, fetch_owned, require_text, restate, utcnow
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.storage.tables import area, area_line, counter, line, site
from footfall.storage.tables_pull import pull_state

# The device API login (password sealed by the caller) lives beside the counter row.
LOGIN = ("username", "password_sealed", "data_type", "resolution", "resolution_step", "poll_interval_s")
EDITABLE = ("name", "company_serial", "host", "port", "channel", "site_id", "active", *LOGIN)
_TEXT = {"name": 200, "company_serial": 64, "host": 255, "channel": 50, "username": 100}
_CHOICES: dict[str, tuple[Any, ...]] = {
    "data_type": ("json", "xml"), "resolution": ("hour", "minute", "second"), "resolution_step": STEPS,
}
HEALTH = ("watermark_ts", "last_attempt_at", "last_success_at", "last_error", "last_error_at", "failures")


def _clean_login(key: str, value: Any) -> Any:
    """One device login field, checked; the sealed password is opaque here."""
    if key in _CHOICES:
        if value not in _CHOICES[key] or isinstance(value, bool):
            raise Invalid(f"{key} must be one of {', '.join(map(str, _CHOICES[key]))} (got {value!r})",
                          field=key)
        return value
    if key == "poll_interval_s":
        if isinstance(value, bool) or not isinstance(value, int) or not 60 <= value <= 86400:
            raise Invalid(f"poll_interval_s must be whole seconds from 60 to 86400 (got {value!r})",
                          field=key)
        return value
    if key == "password_sealed" and value is not None and not isinstance(value, str):
        raise Invalid("password must be text", field="password")
    return value


def _clean(conn: Connection, company_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "host" and value is not None:
            try:
                out[key] = check_host(require_text(value, key, _TEXT[key]))
            except AddressRefused as error:
                raise Invalid(str(error), field="host") from None
        elif key in _TEXT:
            out[key] = None if value is None else require_text(value, key, _TEXT[key])
        elif key in LOGIN:
            out[key] = _clean_login(key, value)
        elif key == "port":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 1 <= value <= 65535):
                raise Invalid(f"port {value!r} is not a TCP port (1…65535)", field="port")
            out[key] = value
        elif key == "active":
            if not isinstance(value, bool):
                raise Invalid("active must be true or false", field="active")
            out[key] = value
        elif key == "site_id":
            if value is not None:
                fetch_owned(conn, site, company_id, value, "site", field="site_id")
            out[key] = value
        else:
            raise Invalid(f"{key}: not a field of a counter", field=key)
    return out


def create_counter(conn: Connection, company_id: int, serial: str, name: str | None = None,
                   site_id: int | None = None, **fields: Any) -> Row:
    """Register a counter; a serial already known (even unassigned) is a Conflict."""
    serial = require_text(serial, "serial", 64)
    existing = conn.execute(
        select(counter.c.id, counter.c.site_id)
        .where(counter.c.company_id == company_id, counter.c.serial == serial)
    ).first()
    if existing is not None and existing.site_id is None:
        raise Conflict(
            f"serial: counter {serial!r} already exists as unassigned counter {existing.id} "
            f"(created when it first sent data); assign it instead: "
            f"PATCH /api/v1/counters/{existing.id} with {{\"site_id\": …}}", field="serial")
    if existing is not None:
        raise Conflict(f"serial: a counter with serial {serial!r} already exists "
                       f"(counter {existing.id})", field="serial")
    values = _clean(conn, company_id, {"name": name, "site_id": site_id, **fields})
    login = {k: values.pop(k) for k in LOGIN if k in values}
    values.update(company_id=company_id, serial=serial, created_at=utcnow())
    values.setdefault("active", True)
    _check_pullable(values)
    counter_id = conn.execute(insert(counter).values(values).returning(counter.c.id)).scalar_one()
    device_api.save_login(conn, counter_id, login)
    return get_counter(conn, company_id, counter_id)


def _check_pullable(row: Mapping[str, Any]) -> None:
    """A counter pulled over its device API needs the address to pull from."""
    if row.get("channel") == device_api.CHANNEL and not row.get("host"):
        raise Invalid("host: a device_api counter needs its static address (host, and port if not 80)",
                      field="host")


def get_counter(conn: Connection, company_id: int, counter_id: int) -> Row:
    """One counter of the company by id."""
    return fetch_owned(conn, counter, company_id, counter_id, "counter")


def find_counter(conn: Connection, company_id: int, serial: str) -> Row:
    """One counter of the company by serial."""
    row = conn.execute(
        select(counter).where(counter.c.company_id == company_id, counter.c.serial == serial)
    ).mappings().first()
    if row is None:
        raise NotFound(f"serial {serial!r}: no such counter", field="serial")
    return dict(row)


def list_counters(conn: Connection, company_id: int, unassigned: bool | None = None,
                  site_id: int | None = None) -> list[Row]:
    """Counters of the company; `unassigned=True` gives those not yet placed at a site."""
    query = select(counter).where(counter.c.company_id == company_id)
    if unassigned is True:
        query = query.where(counter.c.site_id.is_(None))
    elif unassigned is False:
        query = query.where(counter.c.site_id.is_not(None))
    if site_id is not None:
        query = query.where(counter.c.site_id == site_id)
    return [dict(r) for r in conn.execute(query.order_by(counter.c.serial)).mappings()]


def update_counter(conn: Connection, company_id: int, counter_id: int,
                   changes: Mapping[str, Any]) -> Row:
    """Change a counter; a new `site_id` (assigning it) restates its data under the new site."""
    check_fields(changes, EDITABLE, "counter")
    current = get_counter(conn, company_id, counter_id)
    values = _clean(conn, company_id, changes)
    login = {k: values.pop(k) for k in LOGIN if k in values}
    _check_pullable({**current, **values})
    if values:
        conn.execute(update(counter).where(counter.c.id == counter_id).values(values))
    device_api.save_login(conn, counter_id, login)
    if "site_id" in values and values["site_id"] != current["site_id"]:
        _drop_foreign_area_lines(conn, counter_id, values["site_id"])
        restate(conn, [counter_id])
    return get_counter(conn, company_id, counter_id)


def with_pull_details(conn: Connection, rows: list[Row]) -> list[Row]:
    """Counter rows with their device login (`password_set`, never the password) and pull health."""
    ids = [row["id"] for row in rows]
    logins = device_api.logins(conn, ids) if ids else {}
    health: dict[int, list[Row]] = {counter_id: [] for counter_id in ids}
    if ids:
        query = (select(pull_state).where(pull_state.c.counter_id.in_(ids))
                 .order_by(pull_state.c.counter_id, pull_state.c.channel))
        for state in conn.execute(query).mappings():
            health[state["counter_id"]].append({"channel": state["channel"], **{
                f: as_utc(state[f]) if f.endswith("_at") else state[f] for f in HEALTH}})
    empty = dict.fromkeys(("username", "data_type", "resolution", "resolution_step", "poll_interval_s"))
    return [{**row, **empty, "password_set": False, **logins.get(row["id"], {}), "pulls": health[row["id"]]}
            for row in rows]


def _drop_foreign_area_lines(conn: Connection, counter_id: int, site_id: int | None) -> None:
    # An area is made of lines of its own site's counters; a moved counter leaves its old areas.
    stale = (
        select(area_line.c.area_id, area_line.c.line_id)
        .join(line, line.c.id == area_line.c.line_id)
        .join(area, area.c.id == area_line.c.area_id)
        .where(line.c.counter_id == counter_id)
    )
    if site_id is not None:
        stale = stale.where(area.c.site_id != site_id)
    for area_id, line_id in conn.execute(stale).all():
        conn.execute(delete(area_line).where(
            and_(area_line.c.area_id == area_id, area_line.c.line_id == line_id)))


def delete_counter(conn: Connection, company_id: int, counter_id: int) -> None:
    """Delete a counter and its lines; if it sends data again it comes back unassigned."""
    get_counter(conn, company_id, counter_id)
    conn.execute(delete(counter).where(counter.c.id == counter_id))
