"""Settings › sites, site groups and areas: list, create, edit, delete (admins and managers).

Every write is an estate call (`footfall.estate.sites` / `site_groups` / `areas`), so the
portal checks a site's IANA zone, opening hours and code exactly as the API does.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter
from sqlalchemy.engine import Connection

from footfall.estate import areas, site_groups, sites
from footfall.estate.common import Row
from footfall.estate.counters import list_counters
from footfall.estate.errors import Invalid
from footfall.estate.lines import list_lines
from footfall.estate.site_fields import WEEKDAYS
from footfall.portal.sessions import PortalUser
from footfall.portal.settings_crud import Resource, mount
from footfall.portal.settings_forms import (
    Field,
    changed,
    chosen_ids,
    closed_dates,
    hours_text,
    opening_hours,
    parse,
    show,
)

router = APIRouter()
SITE_FIELDS = (
    Field("code", "Code", required=True, hint="unique in the company (the seeds' BranchCode)"),
    Field("name", "Name", required=True),
    Field("timezone", "Time zone", widget="zone", required=True, hint="IANA name, e.g. Europe/London"),
    Field("capacity", "Capacity", "int", hint="people at once, for occupancy"),
    Field("region", "Region"), Field("city", "City"), Field("country", "Country"),
    Field("store_type", "Store type"),
    Field("latitude", "Latitude", "number"), Field("longitude", "Longitude", "number"),
    Field("floor_size", "Floor size (m²)", "number"),
)
SITE_COLUMNS = ["id", "code", "name", "timezone", "capacity", "region", "city", "country", "store_type",
                "latitude", "longitude", "floor_size", "hours", "closed_dates", "counters", "created_at"]


def _site_details(conn: Connection, company_id: int, rows: list[Row]) -> list[Row]:
    """Sites with their number of counters and their opening hours on one line."""
    doors: dict[int, int] = {}
    for counter in list_counters(conn, company_id, unassigned=False):
        doors[counter["site_id"]] = doors.get(counter["site_id"], 0) + 1
    return [{**row, "counters": doors.get(row["id"], 0), "hours": _hours_line(row["opening_hours"])}
            for row in rows]


def _hours_line(hours: dict[str, Any] | None) -> str:
    return "; ".join(f"{day} {text}" for day, text in
                     ((k.removeprefix("hours_"), v) for k, v in hours_text(hours).items()))


def _site_form(form: dict[str, str]) -> dict[str, Any]:
    return {**parse(SITE_FIELDS, form), "opening_hours": opening_hours(form),
            "closed_dates": closed_dates(form.get("closed_dates", ""))}


def _site_values(row: Row) -> dict[str, str]:
    return {**show(SITE_FIELDS, row), **hours_text(row["opening_hours"]),
            "closed_dates": ", ".join(row["closed_dates"] or [])}


def _site_extras(conn: Connection, me: PortalUser, row: Row | None) -> dict[str, Any]:
    doors = list_counters(conn, me.company_id, site_id=row["id"]) if row else []
    return {"fields": SITE_FIELDS, "zones": sorted(available_timezones()), "weekdays": WEEKDAYS,
            "doors": doors}


SITES = Resource(
    "settings_sites", "/settings/sites", "site", ("settings_sites.html", "settings_site.html"), SITE_COLUMNS,
    rows=lambda conn, company_id: _site_details(conn, company_id, sites.list_sites(conn, company_id)),
    one=lambda conn, company_id, site_id: _site_details(conn, company_id,
                                                        [sites.get_site(conn, company_id, site_id)])[0],
    show=_site_values,
    create=lambda c, form: sites.create_site(c.conn, c.me.company_id, **_site_form(form)),
    update=lambda c, row, form: sites.update_site(c.conn, c.me.company_id, row["id"],
                                                  changed(_site_form(form), row)),
    delete=lambda c, row: sites.delete_site(c.conn, c.me.company_id, row["id"]),
    extras=_site_extras,
)


def _codes(conn: Connection, company_id: int) -> dict[int, str]:
    return {row["id"]: row["code"] for row in sites.list_sites(conn, company_id)}


def _group_details(conn: Connection, company_id: int, rows: list[Row]) -> list[Row]:
    """Site groups with the codes of their sites."""
    codes = _codes(conn, company_id)
    return [{**row, "sites": [codes[i] for i in row["site_ids"]]} for row in rows]


def _group_form(form: dict[str, str]) -> dict[str, Any]:
    return {"name": form.get("name", ""), "site_ids": chosen_ids(form, "site_")}


def _site_choices(conn: Connection, me: PortalUser, _row: Row | None) -> dict[str, Any]:
    return {"sites": sites.list_sites(conn, me.company_id)}


GROUPS = Resource(
    "settings_sites", "/settings/site-groups", "site group", ("settings_groups.html", "settings_group.html"),
    ["id", "name", "site_ids", "sites", "created_at"],
    rows=lambda conn, company_id: _group_details(conn, company_id,
                                                 site_groups.list_site_groups(conn, company_id)),
    one=lambda conn, company_id, group_id: _group_details(
        conn, company_id, [site_groups.get_site_group(conn, company_id, group_id)])[0],
    show=lambda row: {"name": row["name"], **{f"site_{i}": "on" for i in row["site_ids"]}},
    create=lambda c, form: site_groups.create_site_group(c.conn, c.me.company_id, **_group_form(form)),
    update=lambda c, row, form: site_groups.update_site_group(c.conn, c.me.company_id, row["id"],
                                                              _group_form(form)),
    delete=lambda c, row: site_groups.delete_site_group(c.conn, c.me.company_id, row["id"]),
    extras=_site_choices,
)


def _area_details(conn: Connection, company_id: int, rows: list[Row]) -> list[Row]:
    """Areas with their site's code and their line ids."""
    codes = _codes(conn, company_id)
    return [{**row, "site": codes.get(row["site_id"]), "line_ids": [item["line_id"] for item in row["lines"]]}
            for row in rows]


def _area_form(form: dict[str, str]) -> dict[str, Any]:
    raw = form.get("site_id", "").strip()
    if not raw.isdigit():
        raise Invalid("site: choose the site the area is part of", field="site_id")
    lines = [{"line_id": line_id, "direction": form[f"line_{line_id}"]}
             for line_id in sorted(int(k[5:]) for k, v in form.items()
                                   if k.startswith("line_") and k[5:].isdigit() and v)]
    return {"name": form.get("name", ""), "site_id": int(raw), "lines": lines}


def _area_extras(conn: Connection, me: PortalUser, row: Row | None) -> dict[str, Any]:
    """The sites to choose from and, when editing, every line of the area's site."""
    choices = _site_choices(conn, me, row)
    if row is None:
        return choices
    site_lines = [{**line, "serial": door["serial"], "door": door["name"]}
                  for door in list_counters(conn, me.company_id, site_id=row["site_id"])
                  for line in list_lines(conn, me.company_id, door["id"])]
    return {**choices, "site_lines": site_lines}


AREAS = Resource(
    "settings_sites", "/settings/areas", "area", ("settings_areas.html", "settings_area.html"),
    ["id", "name", "site_id", "site", "line_ids", "created_at"],
    rows=lambda conn, company_id: _area_details(conn, company_id, areas.list_areas(conn, company_id)),
    one=lambda conn, company_id, area_id: _area_details(conn, company_id,
                                                        [areas.get_area(conn, company_id, area_id)])[0],
    show=lambda row: {"name": row["name"], "site_id": str(row["site_id"]),
                      **{f"line_{item['line_id']}": item["direction"] for item in row["lines"]}},
    create=lambda c, form: areas.create_area(c.conn, c.me.company_id, **_area_form(form)),
    update=lambda c, row, form: areas.update_area(c.conn, c.me.company_id, row["id"], _area_form(form)),
    delete=lambda c, row: areas.delete_area(c.conn, c.me.company_id, row["id"]),
    extras=_area_extras,
)

for _resource in (SITES, GROUPS, AREAS):
    mount(router, _resource)
