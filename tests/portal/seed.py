"""A small, deterministic estate for the portal tests: two companies, users of every role.

Company A (Acme): sites LDN01 (London, two doors, one with a street line) and KUL01 (Kuala
Lumpur, one door) in group "All stores", hourly device counts for the last days with some
hours missing (partial buckets), and one counter that sent data unregistered (unassigned).
Company B (Beta): site BER01 with one door. Built through the estate functions and the
one ingest core, as the hub itself would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.lines import list_lines, update_line
from footfall.estate.site_groups import create_site_group
from footfall.estate.sites import create_site
from footfall.estate.tokens import create_token
from footfall.ingest.core import IngestCore
from footfall.portal.accounts import create_portal_user
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import counter

PASSWORD = "correct horse battery"
DAYS = 3
UNASSIGNED = "00000000feedf00d"
A_DOORS = {"LDN01": ("00000000a0000001", "00000000a0000002"), "KUL01": ("00000000a0000003",)}
B_DOORS = {"BER01": ("00000000b0000001",)}
STREET_DOOR = "00000000a0000001"  # its line 2 watches passers-by


@dataclass
class Company:
    """One seeded company: ids, a token, its users' e-mails by role."""

    id: int
    name: str
    token: str
    sites: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header of the company's API token."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Seeded:
    """Both companies."""

    a: Company
    b: Company


def hourly_counts(serial: str, seed: int, now_ts: int, outside: bool) -> list[dict[str, Any]]:
    """Device-reported hours of the last DAYS days, with a gap every 7th hour (partial buckets)."""
    first = (now_ts // 3600 - DAYS * 24) * 3600
    rows = []
    for n, start in enumerate(range(first, (now_ts // 3600) * 3600, 3600)):
        if (n + seed) % 7 == 0:
            continue
        visitors = (n * 7 + seed * 3) % 23
        rows.append({"serial": serial, "line": 1, "start": start, "length": 3600, "in": visitors,
                     "out": max(0, visitors - (n % 3)), "source": "device_api"})
        if outside:
            rows.append({"serial": serial, "line": 2, "start": start, "length": 3600,
                         "in": visitors * 2 + 5, "out": visitors + 3, "source": "device_api"})
    return rows


def _company(engine: Engine, name: str, doors: dict[str, tuple[str, ...]], zones: dict[str, str],
             prefix: str) -> Company:
    with write_tx(engine) as conn:
        company_id = create_company(conn, name)["id"]
        token = create_token(conn, company_id, "tests")[1]
        made = Company(company_id, name, token)
        for code, serials in doors.items():
            site_id = create_site(conn, company_id, code, f"{name} {code}", zones[code])["id"]
            made.sites[code] = site_id
            for n, serial in enumerate(serials):
                create_counter(conn, company_id, serial, f"Door {n + 1}", site_id, channel="websocket")
        for role in ("admin", "manager", "viewer"):
            email = f"{role}@{prefix}.example"
            create_portal_user(conn, company_id, email, PASSWORD, role)
            made.users[role] = email
    return made


def seed(engine: Engine) -> Seeded:
    """Build both companies and their data, rolled up."""
    zones = {"LDN01": "Europe/London", "KUL01": "Asia/Kuala_Lumpur", "BER01": "Europe/Berlin"}
    a = _company(engine, "Acme", A_DOORS, zones, "acme")
    b = _company(engine, "Beta", B_DOORS, zones, "beta")
    with write_tx(engine) as conn:
        create_site_group(conn, a.id, "All stores", list(a.sites.values()))
    now_ts = int(time.time())
    core = IngestCore(engine)
    try:
        for company, doors in ((a, A_DOORS), (b, B_DOORS)):
            counts = [row for serials in doors.values() for i, serial in enumerate(serials)
                      for row in hourly_counts(serial, i + 1, now_ts, serial == STREET_DOOR)]
            if company is a:
                counts += hourly_counts(UNASSIGNED, 5, now_ts, False)
            result = core.ingest(company.id, counts=counts)
            assert not result.errors, result.errors
    finally:
        core.close()
    with write_tx(engine) as conn:
        street = conn.execute(select(counter.c.id).where(counter.c.serial == STREET_DOOR)).scalar_one()
        for line in list_lines(conn, a.id, street):
            if line["roi_id"] == 2:
                update_line(conn, a.id, line["id"], {"kind": "outside"})
    refresh(engine)
    return Seeded(a, b)


def unassigned_id(engine: Engine) -> int:
    """The id of the counter that sent data unregistered."""
    with read_tx(engine) as conn:
        return conn.execute(select(counter.c.id).where(counter.c.serial == UNASSIGNED)).scalar_one()
