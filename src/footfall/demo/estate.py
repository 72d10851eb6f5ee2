"""Register a simulated fleet as a company's estate: sites, a group, counters, line kinds.

Idempotent: what exists is left alone, so a rerun (or a restart of the demo) adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from footfall.domain.records import LineKind
from footfall.estate.companies import create_company, find_company
from footfall.estate.counters import create_counter, find_counter
from footfall.estate.errors import NotFound
from footfall.estate.lines import list_lines, update_line
from footfall.estate.site_groups import create_site_group, list_site_groups
from footfall.estate.sites import create_site, find_site
from footfall.simulator.fleet import OUTSIDE_ROI, WEEKDAYS, Fleet, SiteSpec


@dataclass(slots=True)
class Estate:
    """Ids of what was registered: the company, its sites (code → id), counters (serial → id)."""

    company_id: int
    site_ids: dict[str, int] = field(default_factory=dict)
    counter_ids: dict[str, int] = field(default_factory=dict)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def opening_hours(spec: SiteSpec) -> dict[str, list[list[str]]]:
    """The site's opening in the hub's form: {"mon": [["09:00", "20:00"]], …}; closed days left out."""
    hours: dict[str, list[list[str]]] = {}
    for key, span in zip(WEEKDAYS, spec.opening, strict=True):
        if span is not None:
            hours[key] = [[_hhmm(span[0]), _hhmm(span[1])]]
    return hours


def ensure_company(conn: Connection, name: str) -> int:
    """The id of the company called `name`, created when missing."""
    try:
        return int(find_company(conn, name)["id"])
    except NotFound:
        return int(create_company(conn, name)["id"])


def register_fleet(conn: Connection, company_id: int, fleet: Fleet, group: str | None = None) -> Estate:
    """Create the fleet's sites and counters in the company (what exists is kept) and a site group."""
    estate = Estate(company_id)
    for spec in fleet.sites:
        try:
            site_id = find_site(conn, company_id, spec.code)["id"]
        except NotFound:
            site_id = create_site(conn, company_id, spec.code, spec.name, spec.timezone,
                                  opening_hours=opening_hours(spec))["id"]
        estate.site_ids[spec.code] = int(site_id)
    for unit in fleet.counters:
        try:
            row = find_counter(conn, company_id, unit.serial)
        except NotFound:
            row = create_counter(conn, company_id, unit.serial, f"{fleet.site(unit.site_code).name} door "
                                 f"{unit.door}", estate.site_ids[unit.site_code],
                                 company_serial=unit.company_serial, channel=unit.channels[0])
        estate.counter_ids[unit.serial] = int(row["id"])
    if group and not any(g["name"] == group for g in list_site_groups(conn, company_id)):
        create_site_group(conn, company_id, group, list(estate.site_ids.values()))
    return estate


def mark_outside_lines(conn: Connection, fleet: Fleet, estate: Estate) -> int:
    """Line 2 of a street-facing counter counts passers-by (ingest creates lines as entrances)."""
    marked = 0
    for unit in fleet.counters:
        if not unit.outside_line:
            continue
        for row in list_lines(conn, estate.company_id, estate.counter_ids[unit.serial]):
            if row["roi_id"] == OUTSIDE_ROI and row["kind"] != LineKind.OUTSIDE.value:
                update_line(conn, estate.company_id, row["id"],
                            {"kind": LineKind.OUTSIDE.value, "name": "Street"})
                marked += 1
    return marked
