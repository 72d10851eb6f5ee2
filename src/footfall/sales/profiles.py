"""Saved mapping profiles of a company, by name (the seeds' "Sales File Format")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, as_utc, utcnow
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.sales.problems import ProfileError
from footfall.sales.profile import SEEDS, MappingProfile
from footfall.storage.tables_sales import sales_profile

FIELDS = tuple(f for f in MappingProfile.__slots__ if f != "name")  # type: ignore[attr-defined]


def checked(values: dict[str, Any]) -> MappingProfile:
    """A profile from values, or Invalid naming the field at fault."""
    try:
        return MappingProfile.from_dict(values)
    except ProfileError as error:
        raise Invalid(error.message, field=error.field) from None


def _row(row: Any) -> Row:
    values = dict(row._mapping)
    values["created_at"] = as_utc(values["created_at"])
    values["updated_at"] = as_utc(values["updated_at"])
    return values


def list_profiles(conn: Connection, company_id: int) -> list[Row]:
    """The company's profiles by name."""
    rows = conn.execute(select(sales_profile).where(sales_profile.c.company_id == company_id)
                        .order_by(sales_profile.c.name))
    return [_row(r) for r in rows]


def get_profile(conn: Connection, company_id: int, name: str) -> Row:
    """One saved profile by name; NotFound otherwise."""
    row = conn.execute(select(sales_profile).where(sales_profile.c.company_id == company_id,
                                                   sales_profile.c.name == name)).first()
    if row is None:
        raise NotFound(f"profile {name!r}: no such sales profile", field="profile")
    return _row(row)


def load_profile(conn: Connection, company_id: int, name: str | None) -> MappingProfile:
    """The profile to read a file with: the saved one by name, else the seeds' format."""
    if name is None:
        return SEEDS
    row = get_profile(conn, company_id, name)
    return MappingProfile(name=row["name"], **{f: row[f] for f in FIELDS})


def create_profile(conn: Connection, company_id: int, values: dict[str, Any]) -> Row:
    """Save a new profile; its name must be new in the company."""
    profile = checked(values)
    exists = conn.execute(select(sales_profile.c.id).where(
        sales_profile.c.company_id == company_id, sales_profile.c.name == profile.name)).first()
    if exists is not None:
        raise Conflict(f"name: a sales profile named {profile.name!r} already exists", field="name")
    now = utcnow()
    conn.execute(insert(sales_profile).values(company_id=company_id, created_at=now, updated_at=now,
                                              **profile.as_dict()))
    return get_profile(conn, company_id, profile.name)


def update_profile(conn: Connection, company_id: int, name: str, changes: dict[str, Any]) -> Row:
    """Change the fields sent (a new name included); the result must be a valid profile."""
    current = get_profile(conn, company_id, name)
    merged = {f: current[f] for f in ("name", *FIELDS)} | changes
    profile = checked(merged)
    if profile.name != name:
        taken = conn.execute(select(sales_profile.c.id).where(
            sales_profile.c.company_id == company_id, sales_profile.c.name == profile.name)).first()
        if taken is not None:
            raise Conflict(f"name: a sales profile named {profile.name!r} already exists", field="name")
    conn.execute(update(sales_profile).where(sales_profile.c.id == current["id"])
                 .values(updated_at=utcnow(), **profile.as_dict()))
    return get_profile(conn, company_id, profile.name)


def delete_profile(conn: Connection, company_id: int, name: str) -> None:
    """Forget a profile (past imports keep its name in their history)."""
    current = get_profile(conn, company_id, name)
    conn.execute(delete(sales_profile).where(sales_profile.c.id == current["id"]))
