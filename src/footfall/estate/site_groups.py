"""Site groups: named sets of sites of one company (a site may be in several)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, check_fields, fetch_owned, require_text, utcnow
from footfall.estate.errors import Conflict, Invalid
from footfall.storage.tables import site, site_group, site_group_member

EDITABLE = ("name", "site_ids")


def _check_name_free(conn: Connection, company_id: int, name: str, group_id: int | None) -> None:
    taken = conn.execute(
        select(site_group.c.id).where(site_group.c.company_id == company_id,
                                      site_group.c.name == name)
    ).scalar()
    if taken is not None and taken != group_id:
        raise Conflict(f"name: a site group named {name!r} already exists", field="name")


def _clean_sites(conn: Connection, company_id: int, site_ids: Iterable[int]) -> list[int]:
    ids = list(site_ids)
    for index, site_id in enumerate(ids):
        if not isinstance(site_id, int) or isinstance(site_id, bool):
            raise Invalid(f"site_ids[{index}] must be a site id", field=f"site_ids[{index}]")
        fetch_owned(conn, site, company_id, site_id, "site", field=f"site_ids[{index}]")
    return sorted(set(ids))


def _write_members(conn: Connection, group_id: int, site_ids: list[int]) -> None:
    conn.execute(delete(site_group_member).where(site_group_member.c.group_id == group_id))
    if site_ids:
        conn.execute(insert(site_group_member),
                     [{"group_id": group_id, "site_id": site_id} for site_id in site_ids])


def create_site_group(conn: Connection, company_id: int, name: str,
                      site_ids: Iterable[int] = ()) -> Row:
    """Create a site group from sites of the company."""
    name = require_text(name, "name", 200)
    _check_name_free(conn, company_id, name, None)
    members = _clean_sites(conn, company_id, site_ids)
    values = {"company_id": company_id, "name": name, "created_at": utcnow()}
    group_id = conn.execute(
        insert(site_group).values(values).returning(site_group.c.id)).scalar_one()
    _write_members(conn, group_id, members)
    return get_site_group(conn, company_id, group_id)


def get_site_group(conn: Connection, company_id: int, group_id: int) -> Row:
    """One site group of the company, with its site ids."""
    row = fetch_owned(conn, site_group, company_id, group_id, "site group")
    query = (select(site_group_member.c.site_id)
             .where(site_group_member.c.group_id == group_id)
             .order_by(site_group_member.c.site_id))
    row["site_ids"] = list(conn.execute(query).scalars())
    return row


def list_site_groups(conn: Connection, company_id: int) -> list[Row]:
    """Every site group of the company, by name."""
    query = (select(site_group.c.id).where(site_group.c.company_id == company_id)
             .order_by(site_group.c.name))
    return [get_site_group(conn, company_id, gid) for gid in conn.execute(query).scalars()]


def update_site_group(conn: Connection, company_id: int, group_id: int,
                      changes: Mapping[str, Any]) -> Row:
    """Rename a group or replace its sites."""
    check_fields(changes, EDITABLE, "site group")
    get_site_group(conn, company_id, group_id)
    if "name" in changes:
        name = require_text(changes["name"], "name", 200)
        _check_name_free(conn, company_id, name, group_id)
        conn.execute(update(site_group).where(site_group.c.id == group_id).values(name=name))
    if "site_ids" in changes:
        _write_members(conn, group_id, _clean_sites(conn, company_id, changes["site_ids"] or ()))
    return get_site_group(conn, company_id, group_id)


def delete_site_group(conn: Connection, company_id: int, group_id: int) -> None:
    """Delete a site group (its sites stay)."""
    fetch_owned(conn, site_group, company_id, group_id, "site group")
    conn.execute(delete(site_group).where(site_group.c.id == group_id))
