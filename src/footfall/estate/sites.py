"""Sites (the seeds' branches) of a company."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, check_fields, fetch_owned, restate, utcnow
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.estate.site_fields import EDITABLE, clean_site_fields
from footfall.storage.tables import counter, site


def _check_code_free(conn: Connection, company_id: int, code: str, site_id: int | None) -> None:
    taken = conn.execute(
        select(site.c.id).where(site.c.company_id == company_id, site.c.code == code)
    ).scalar()
    if taken is not None and taken != site_id:
        raise Conflict(f"code: a site with code {code!r} already exists", field="code")


def create_site(conn: Connection, company_id: int, code: str, name: str, timezone: str,
                **fields: Any) -> Row:
    """Create a site; `code` is unique in the company and `timezone` must be an IANA zone."""
    values = clean_site_fields({"code": code, "name": name, "timezone": timezone, **fields})
    _check_code_free(conn, company_id, values["code"], None)
    values.update(company_id=company_id, created_at=utcnow())
    site_id = conn.execute(insert(site).values(values).returning(site.c.id)).scalar_one()
    return get_site(conn, company_id, site_id)


def get_site(conn: Connection, company_id: int, site_id: int) -> Row:
    """One site of the company by id."""
    return fetch_owned(conn, site, company_id, site_id, "site")


def find_site(conn: Connection, company_id: int, id_or_code: str) -> Row:
    """One site of the company by numeric id, else by code (ids win over numeric codes)."""
    if id_or_code.isdigit():
        row = conn.execute(select(site).where(
            site.c.company_id == company_id, site.c.id == int(id_or_code))).mappings().first()
        if row is not None:
            return dict(row)
    row = conn.execute(
        select(site).where(site.c.company_id == company_id, site.c.code == id_or_code)
    ).mappings().first()
    if row is None:
        raise NotFound(f"site {id_or_code!r}: no site has this id or code", field="id_or_code")
    return dict(row)


def list_sites(conn: Connection, company_id: int) -> list[Row]:
    """Every site of the company, by code."""
    query = select(site).where(site.c.company_id == company_id).order_by(site.c.code)
    return [dict(r) for r in conn.execute(query).mappings()]


def site_counter_ids(conn: Connection, site_id: int) -> list[int]:
    """Ids of the counters assigned to a site."""
    return list(conn.execute(select(counter.c.id).where(counter.c.site_id == site_id)).scalars())


def update_site(conn: Connection, company_id: int, site_id: int,
                changes: Mapping[str, Any]) -> Row:
    """Change a site's fields; a new time zone restates every counter of the site."""
    check_fields(changes, EDITABLE, "site")
    for required in ("code", "name", "timezone"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be null", field=required)
    current = get_site(conn, company_id, site_id)
    values = clean_site_fields(changes)
    if "code" in values:
        _check_code_free(conn, company_id, values["code"], site_id)
    if values:
        conn.execute(update(site).where(site.c.id == site_id).values(values))
    if values.get("timezone", current["timezone"]) != current["timezone"]:
        restate(conn, site_counter_ids(conn, site_id))
    return get_site(conn, company_id, site_id)


def delete_site(conn: Connection, company_id: int, site_id: int) -> None:
    """Delete a site; its counters become unassigned (their data is kept) and are restated."""
    get_site(conn, company_id, site_id)
    counter_ids = site_counter_ids(conn, site_id)
    # Unassign first (rather than by ON DELETE SET NULL) so the restate sees the new state.
    conn.execute(update(counter).where(counter.c.site_id == site_id).values(site_id=None))
    conn.execute(delete(site).where(site.c.id == site_id))
    restate(conn, counter_ids)
