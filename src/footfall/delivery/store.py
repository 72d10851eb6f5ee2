"""Deliveries of a company: create, read, change, delete; passwords sealed, never read back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from footfall.delivery.fields import EDITABLE, SCHEDULE_FIELDS, check, with_defaults
from footfall.delivery.model import Delivery
from footfall.delivery.schedule import WEEKDAYS
from footfall.estate.common import Row, check_fields, fetch_owned
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.security.secrets import SecretBox
from footfall.storage.tables_delivery import delivery

# API field → column, where they differ.
_COLUMN = {"at": "at_time"}
_HIDDEN = ("password_sealed",)


def _to_row(values: Mapping[str, Any]) -> dict[str, Any]:
    row = {_COLUMN.get(k, k): v for k, v in values.items() if k in EDITABLE and k != "password"}
    if "weekday" in row:
        row["weekday"] = WEEKDAYS.index(row["weekday"])
    return row


def _from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Stored columns back to the fields a client sets (no password)."""
    values = {k: row[_COLUMN.get(k, k)] for k in EDITABLE if k != "password"}
    values["weekday"] = WEEKDAYS[int(row["weekday"])]
    return values


def public(row: Mapping[str, Any]) -> Row:
    """A delivery as shown to users: every field, `password_set` instead of the password."""
    shown = {k: v for k, v in row.items() if k not in _HIDDEN and k != "at_time"}
    shown["at"] = row["at_time"]
    shown["weekday"] = WEEKDAYS[int(row["weekday"])]
    shown["password_set"] = bool(row["password_sealed"])
    return shown


def _check_name_free(conn: Connection, company_id: int, name: str, delivery_id: int | None) -> None:
    taken = conn.execute(select(delivery.c.id).where(
        delivery.c.company_id == company_id, delivery.c.name == name)).scalar()
    if taken is not None and taken != delivery_id:
        raise Conflict(f"name: a delivery called {name!r} already exists", field="name")


def _sealed(box: SecretBox, password: Any) -> str | None:
    if password is None or password == "":
        return None
    if not isinstance(password, str):
        raise Invalid("password must be a string", field="password")
    return box.seal(password)


def create_delivery(conn: Connection, company_id: int, fields: Mapping[str, Any], box: SecretBox,
                    now: datetime) -> Row:
    """Store a new delivery; its schedule starts now (earlier occurrences never run)."""
    check_fields(fields, EDITABLE, "delivery")
    values = check(with_defaults(fields))
    _check_name_free(conn, company_id, values["name"], None)
    row = _to_row(values)
    row.update(company_id=company_id, password_sealed=_sealed(box, values.get("password")),
               schedule_since=now, created_at=now, updated_at=now)
    try:
        new_id = conn.execute(insert(delivery).values(row).returning(delivery.c.id)).scalar_one()
    except IntegrityError:
        raise Conflict(f"name: a delivery called {values['name']!r} already exists",
                       field="name") from None
    return get_delivery(conn, company_id, new_id)


def get_delivery(conn: Connection, company_id: int, delivery_id: int) -> Row:
    """One delivery of the company (with its sealed password: not for display)."""
    return fetch_owned(conn, delivery, company_id, delivery_id, "delivery")


def find_delivery(conn: Connection, company_id: int, id_or_name: str) -> Row:
    """One delivery of the company by numeric id or by name."""
    match = [delivery.c.name == id_or_name]
    if id_or_name.isdigit():
        match.append(delivery.c.id == int(id_or_name))
    row = conn.execute(select(delivery).where(delivery.c.company_id == company_id, or_(*match))
                       .order_by(delivery.c.id)).mappings().first()
    if row is None:
        raise NotFound(f"delivery {id_or_name!r}: no delivery has this id or name", field="delivery")
    return dict(row)


def list_deliveries(conn: Connection, company_id: int) -> list[Row]:
    """Every delivery of the company, by name."""
    query = select(delivery).where(delivery.c.company_id == company_id).order_by(delivery.c.name)
    return [dict(r) for r in conn.execute(query).mappings()]


def update_delivery(conn: Connection, company_id: int, delivery_id: int, changes: Mapping[str, Any],
                    box: SecretBox, now: datetime) -> Row:
    """Change the fields sent; a new password is sealed, a changed schedule starts again now."""
    check_fields(changes, EDITABLE, "delivery")
    current = get_delivery(conn, company_id, delivery_id)
    values = check({**_from_row(current), **changes})
    if "name" in changes:
        _check_name_free(conn, company_id, values["name"], delivery_id)
    row = _to_row({k: values[k] for k in changes if k != "password"})
    if "password" in changes:
        row["password_sealed"] = _sealed(box, changes["password"])
    if SCHEDULE_FIELDS & set(changes) and any(_to_row({k: values[k]}) != {
            _COLUMN.get(k, k): current[_COLUMN.get(k, k)]} for k in SCHEDULE_FIELDS & set(changes)):
        row["schedule_since"] = now
    row["updated_at"] = now
    conn.execute(update(delivery).where(delivery.c.id == delivery_id).values(row))
    return get_delivery(conn, company_id, delivery_id)


def delete_delivery(conn: Connection, company_id: int, delivery_id: int) -> None:
    """Delete a delivery and its history."""
    get_delivery(conn, company_id, delivery_id)
    conn.execute(delete(delivery).where(delivery.c.id == delivery_id))


def active_deliveries(conn: Connection) -> list[Delivery]:
    """Every active delivery of every company (the scheduler's work list)."""
    rows = conn.execute(select(delivery).where(delivery.c.active.is_(True))
                        .order_by(delivery.c.id)).mappings()
    return [Delivery.from_row(dict(r)) for r in rows]
