"""Conversion on the dashboard: where a site has sales, its charts and twin carry the
/api/v1/counts sales fields; where it has none, no sales chart is drawn."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from footfall.query.sales import SALES_KEYS
from tests.portal.conftest import sign_in
from tests.portal.seed import Seeded


def _range() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"from": str(today - timedelta(days=2)), "to": str(today)}


def _counts(client: TestClient, seeded: Seeded, **params: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/counts", params=params, headers=seeded.a.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def import_sales_for(client: TestClient, seeded: Seeded, code: str) -> None:
    """A sales file for the site's hours with visitors: about one buyer in three."""
    lines = ["StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue"]
    for row in _counts(client, seeded, level="site", id=code, interval="hour", **_range()):
        if row["in"]:
            start = datetime.fromisoformat(row["start"])  # the site's local time
            buyers = max(1, row["in"] // 3)
            lines.append(f"{code},{start:%d-%m-%Y %H:%M},{buyers},{buyers * 12.35:.2f}")
    answer = client.post("/api/v1/sales/imports", headers=seeded.a.headers,
                         files={"file": ("till.csv", "\n".join(lines).encode(), "text/csv")})
    assert answer.status_code == 201, answer.text


def _figure(html: str, key: str) -> dict[str, Any] | None:
    found = re.search(rf'<script type="application/json" id="figure-{key}">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


@pytest.mark.parametrize(("level", "ident", "interval"), [
    ("site", "LDN01", "hour"), ("site", "LDN01", "day"), ("site_group", "All stores", "hour"),
])
def test_conversion_on_the_dashboard_equals_the_counts_api(app_client: TestClient, seeded: Seeded,
                                                           level: str, ident: str, interval: str) -> None:
    import_sales_for(app_client, seeded, "LDN01")
    sign_in(app_client, seeded.a.users["viewer"])
    query = {"level": level, "id": ident, "interval": interval, **_range()}
    expected = _counts(app_client, seeded, **query)
    with_sales = [r for r in expected if r["transactions"] is not None]
    assert with_sales and all(r["conversion_rate"] is not None for r in with_sales)

    data = app_client.get("/portal/dashboard.json", params=query).json()["data"]
    assert [{k: r[k] for k in ("start", *SALES_KEYS)} for r in data] == [
        {k: r[k] for k in ("start", *SALES_KEYS)} for r in expected]

    page = app_client.get("/portal/dashboard", params=query).text
    conversion = _figure(page, "conversion")
    assert conversion is not None and 'id="chart-conversion"' in page
    bars, rate = conversion["data"][0], conversion["data"][1]
    assert (bars["name"], rate["name"]) == ("transactions", "conversion rate")
    assert bars["y"] == [r["transactions"] for r in expected]
    assert rate["y"] == [r["conversion_rate"] for r in expected]
    assert bars["x"] == [r["start"][:19] for r in expected]
    ticket = _figure(page, "transaction_value")
    assert ticket is not None
    assert ticket["data"][0]["y"] == [r["average_transaction_value"] for r in expected]
    # The tiles: totals of the site-buckets with sales (a group's other sites do not dilute
    # its rate), never an average of ratios.
    sites = ["LDN01", "KUL01"] if level == "site_group" else [ident]
    sold = [r for code in sites for r in _counts(app_client, seeded, level="site", id=code,
                                                 interval=interval, **_range())
            if r["transactions"] is not None]
    transactions = sum(r["transactions"] for r in sold)
    visitors = sum(r["in"] for r in sold)
    assert transactions == sum(r["transactions"] for r in with_sales)
    assert re.search(rf'id="total-transactions">{transactions}<', page)
    assert re.search(rf'id="total-conversion">{transactions / visitors * 100:.1f} %<', page)


def test_no_sales_chart_where_there_are_no_sales(app_client: TestClient, seeded: Seeded) -> None:
    import_sales_for(app_client, seeded, "LDN01")
    sign_in(app_client, seeded.a.users["manager"])
    query = {"level": "site", "id": "KUL01", "interval": "hour", **_range()}
    page = app_client.get("/portal/dashboard", params=query).text
    assert 'id="chart-visitors"' in page
    assert 'id="chart-conversion"' not in page and 'id="chart-transaction_value"' not in page
    assert 'id="total-transactions"' not in page
    data = app_client.get("/portal/dashboard.json", params=query).json()["data"]
    assert data and all(r[k] is None for r in data for k in SALES_KEYS)
    # The company view lists conversion per site: LDN01's from its totals, none for KUL01.
    company = app_client.get("/portal/dashboard.json", params={"interval": "day", **_range()}).json()
    parts = {p["label"].split(" · ")[0]: p for p in company["parts"]}
    ldn = _counts(app_client, seeded, level="site", id="LDN01", interval="day", **_range())
    sold = [r for r in ldn if r["transactions"] is not None]
    assert parts["LDN01"]["transactions"] == sum(r["transactions"] for r in sold)
    assert parts["LDN01"]["conversion_rate"] == round(
        sum(r["transactions"] for r in sold) / sum(r["in"] for r in sold), 4)
    assert parts["KUL01"]["conversion_rate"] is None
    listing = app_client.get("/portal/dashboard", params={"interval": "day", **_range()}).text
    assert '<th class="num">Conversion</th>' in listing
