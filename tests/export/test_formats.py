"""Every export format, read back, holds exactly the `/api/v1/counts` rows of each item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from footfall.domain.metrics import METRICS
from tests.api.helpers import Tenant
from tests.export.estate import build, counts_rows
from tests.export.parse import READERS

REPORT_KEYS = [m.key for m in METRICS]


def export(client: TestClient, tenant: Tenant, **params: str) -> bytes:
    """GET /export with the bearer header; the body of a 200."""
    query = {"fromdate": "20240304", "todate": "20240304", **params}
    response = client.get("/api/v1/export", params=query, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.content


def expected(client: TestClient, tenant: Tenant, level: str, idents: list[str],
             interval: str) -> list[dict[str, Any]]:
    """The counts rows of each item in turn, with the item's code in front."""
    return [{"code": ident, **row} for ident in idents
            for row in counts_rows(client, tenant, level, ident, interval)]


def test_every_format_reads_back_as_the_counts_rows(client: TestClient, a: Tenant) -> None:
    estate = build(client, a)
    want = expected(client, a, "site", estate.sites, "hour")
    assert len(want) == 48 and any(r["in"] for r in want)  # two sites, a day of hours, traffic
    for fmt in ("csv", "txt", "xlsx", "json", "xml"):
        body = export(client, a, level="site", ids="all", interval="hour", format=fmt,
                      columns=",".join(["code", *REPORT_KEYS]))
        assert READERS[fmt](body) == want, fmt


def test_calendar_intervals_match_the_counts_rows(client: TestClient, a: Tenant) -> None:
    estate = build(client, a)
    for interval in ("day", "week", "month"):
        body = export(client, a, level="site", ids="all", interval=interval, format="json",
                      fromdate="20240226", todate="20240410", columns=",".join(["code", *REPORT_KEYS]))
        want = [{"code": site, **row} for site in estate.sites
                for row in counts_rows(client, a, "site", site, interval, "2024-02-26", "2024-04-10")]
        assert READERS["json"](body) == want, interval


def test_counters_by_id_and_serial_in_the_order_given(client: TestClient, a: Tenant) -> None:
    estate = build(client, a)
    second, first = estate.counters[1], estate.counters[0]
    counters = {c["serial"]: c["id"] for c in client.get("/api/v1/counters", headers=a.headers).json()}
    want = expected(client, a, "counter", [second, first], "15min")
    for fmt, ids in (("csv", f"{second},{first}"), ("xlsx", f"{counters[second]},{first}"),
                     ("json", f"{second},{counters[first]},{second}")):  # repeats count once
        body = export(client, a, level="counter", ids=ids, interval="15min", format=fmt,
                      columns=",".join(["code", *REPORT_KEYS]))
        assert READERS[fmt](body) == want, fmt


def test_default_columns_carry_local_date_and_time(client: TestClient, a: Tenant) -> None:
    estate = build(client, a)
    rows = READERS["json"](export(client, a, level="site", ids=estate.sites[0], interval="hour",
                                  format="json"))
    want = counts_rows(client, a, "site", estate.sites[0], "hour")
    details = {"start", "end", "missing_counters", "verification_reasons"}
    assert list(rows[0]) == ["code", "name", "date", "time",
                             *(m.key for m in METRICS if m.key not in details)]
    assert list(rows[0])[4:14] == ["in", "out", "staff_in", "staff_out", "outside_traffic",
                                   "turn_in_rate", "occupancy", "aggregation_status",
                                   "verification_status", "last_revised"]
    for row, report_row in zip(rows, want, strict=True):
        start = datetime.fromisoformat(report_row["start"])
        assert row["date"] == start.date().isoformat()
        assert row["time"] == start.strftime("%H:%M") + start.isoformat()[-6:]  # ISO with offset
        assert (row["in"], row["out"], row["name"]) == (report_row["in"], report_row["out"],
                                                        "London Bridge")


def test_xlsx_has_real_number_date_and_time_cells(client: TestClient, a: Tenant) -> None:
    import io

    import openpyxl

    estate = build(client, a)
    body = export(client, a, level="site", ids=estate.sites[0], interval="hour", format="xlsx",
                  dateformat="dd/MM/yyyy", timeformat="hh:mm tt")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    date_cell, time_cell, in_cell = (sheet.cell(11, header.index(h) + 1)
                                     for h in ("Date", "Time", "Visitors in"))
    assert date_cell.is_date and date_cell.value.date().isoformat() == "2024-03-04"
    assert date_cell.number_format == "dd/mm/yyyy"
    assert time_cell.is_date and time_cell.value.strftime("%H:%M") == "09:00"
    assert time_cell.number_format == "hh:mm AM/PM"
    assert in_cell.data_type == "n" and in_cell.value == 27  # two doors: 9 × 1 + 9 × 2


def test_site_groups_and_areas_export_their_counts_rows(client: TestClient, a: Tenant) -> None:
    estate = build(client, a)
    site_ids = [s["id"] for s in client.get("/api/v1/sites", headers=a.headers).json()]
    client.post("/api/v1/site-groups", json={"name": "All London", "site_ids": site_ids},
                headers=a.headers).raise_for_status()
    counters = client.get("/api/v1/counters", headers=a.headers).json()
    first = next(c for c in counters if c["serial"] == estate.counters[0])
    lines = client.get(f"/api/v1/counters/{first['id']}/lines", headers=a.headers).json()
    area = client.post("/api/v1/areas", headers=a.headers, json={
        "site_id": first["site_id"], "name": "Front", "lines": [{"line_id": lines[0]["id"]}]})
    assert area.status_code == 201, area.text
    columns = ",".join(["code", *REPORT_KEYS])
    group_rows = READERS["json"](export(client, a, level="site_group", ids="all",
                                        interval="hour", format="json", columns=columns))
    assert group_rows == expected(client, a, "site_group", ["All London"], "hour")
    assert sum(r["in"] for r in group_rows) > 0
    area_rows = READERS["csv"](export(client, a, level="area", ids=str(area.json()["id"]),
                                      interval="15min", format="csv", columns=columns))
    assert area_rows == expected(client, a, "area", ["Front"], "15min")


def test_the_repeated_fall_back_hour_stays_two_rows(client: TestClient, a: Tenant) -> None:
    build(client, a)
    body = export(client, a, level="site", ids="LDN00", interval="hour", format="csv",
                  fromdate="20241027", todate="20241027", columns="date,time,in")
    times = [line.split(",")[1] for line in body.decode().splitlines()[1:]]
    assert len(times) == 25 and len(set(times)) == 25
    assert times[1:3] == ["01:00+01:00", "01:00+00:00"]


def test_a_window_keeps_only_the_buckets_that_start_in_it() -> None:
    from footfall.export.rows import in_window

    rows = [{"start": "2024-03-31T00:00:00+00:00"}, {"start": "2024-03-31T02:00:00+01:00"},
            {"start": "2024-03-31T03:00:00+01:00"}, {"start": "2024-03-31T10:00"}]
    start = 1711846800  # 2024-03-31T01:00:00Z = 02:00 BST
    assert in_window(rows, start, start + 3600) == rows[1:2] + rows[3:]
