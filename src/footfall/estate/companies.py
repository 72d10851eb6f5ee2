"""Companies (tenants): the only estate functions that are not scoped to one company."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, require_text, utcnow
from footfall.estate.errors import Conflict, NotFound
from footfall.storage.tables import company


def create_company(conn: Connection, name: str) -> Row:
    """Create a company; its name is unique across the hub."""
    name = require_text(name, "name", 200)
    if conn.execute(select(company.c.id).where(company.c.name == name)).first():
        raise Conflict(f"name: a company named {name!r} already exists", field="name")
    values = {"name": name, "created_at": utcnow()}
    company_id = conn.execute(insert(company).values(values).returning(company.c.id)).scalar_one()
    return {"id": company_id, **values}


def get_company(conn: Connection, company_id: int) -> Row:
    """One company by id."""
    row = conn.execute(select(company).where(company.c.id == company_id)).mappings().first()
    if row is None:
        raise NotFound(f"company_id {company_id}: no such company", field="company_id")
    return dict(row)


def find_company(conn: Connection, name: str) -> Row:
    """One company by name."""
    row = conn.execute(select(company).where(company.c.name == name)).mappings().first()
    if row is None:
        raise NotFound(f"name {name!r}: no such company", field="name")
    return dict(row)


def list_companies(conn: Connection) -> list[Row]:
    """Every company, by id."""
    return [dict(r) for r in conn.execute(select(company).order_by(company.c.id)).mappings()]
