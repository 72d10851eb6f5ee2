"""The company level: every site of the company lined up by local wall-clock bucket, served by
the report, the API, the CLI and exports, and never another company's sites."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from footfall.api.app import create_app
from footfall.cli.main import app as cli
from footfall.domain.timegrid import Interval, local_midnight_ts, zone
from footfall.domain.verification import Policy
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.export.request import ExportRequest
from footfall.export.rows import iter_chunks, plan
from footfall.ingest.core import IngestCore
from footfall.query.counts import CountsRequest, public, report
from footfall.query.scope import Level, ScopeNotFound
from footfall.rollup.refresher import refresh
from footfall.settings import Settings
from footfall.storage.engine import read_tx, write_tx
from tests.api.helpers import Tenant, make_tenant

DAY = date(2025, 3, 4)  # long past: every bucket is closed
NOW = int(datetime(2025, 4, 1).timestamp())  # noqa: DTZ001
# Two zones 8 hours apart: the company's rows line up local wall-clock hours.
SITES = {"LDN1": "Europe/London", "LDN2": "Europe/London", "KUL1": "Asia/Kuala_Lumpur"}
Model = dict[str, dict[str, list[int]]]  # site → local wall-clock hour label → [in, out]


def _estate(engine: Engine, tenant: Tenant) -> Model:
    """The sites, two counters each, and two local days of hourly counts; the plain model."""
    counts, coverage = [], []
    model: Model = {code: defaultdict(lambda: [0, 0]) for code in SITES}
    with write_tx(engine) as conn:
        for n, (code, tz_name) in enumerate(SITES.items()):
            site_id = create_site(conn, tenant.company_id, code, code, tz_name)["id"]
            tz = zone(tz_name)
            start = local_midnight_ts(DAY, tz)
            for k in range(2):
                serial = f"{0x6AFC1000 + n * 2 + k:016x}"
                create_counter(conn, tenant.company_id, serial, site_id=site_id)
                coverage.append({"serial": serial, "start": start, "end": start + 2 * 86400})
                for hour in range(48):
                    people_in, people_out = 3 * n + k + hour % 7, 2 * n + hour % 5
                    ts = start + hour * 3600
                    counts.append({"serial": serial, "line": 1, "start": ts, "length": 3600,
                                   "in": people_in, "out": people_out, "source": "device_api"})
                    label = datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%dT%H")
                    model[code][label][0] += people_in
                    model[code][label][1] += people_out
    core = IngestCore(engine)
    try:
        assert not core.ingest(tenant.company_id, counts=counts, coverage=coverage).errors
    finally:
        core.close()
    refresh(engine)
    return model


@pytest.fixture
def estate(engine: Engine) -> tuple[Tenant, Tenant, Model]:
    """Company A with three sites in two zones and two days of counts; company B, empty."""
    a, b = make_tenant(engine, "Company A"), make_tenant(engine, "Company B")
    return a, b, _estate(engine, a)


def _report(engine: Engine, company_id: int, level: Level, ident: str, interval: Interval,
            last: date = DAY + timedelta(days=1)) -> list[dict[str, Any]]:
    with read_tx(engine) as conn:
        request = CountsRequest(company_id, level, ident, interval, DAY, last)
        return public(report(conn, request, NOW, Policy()))


def _wall_clock(row: dict[str, Any]) -> str:
    """A row's local wall-clock hour (a company row of sites in two zones has a bare label)."""
    return row["start"][:13]


def test_company_hours_are_the_sum_of_its_sites_by_local_wall_clock(engine: Engine, estate) -> None:  # type: ignore[no-untyped-def]
    a, _b, model = estate
    rows = _report(engine, a.company_id, Level.COMPANY, "", Interval.HOUR)
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for per_site in model.values():
        for label, (people_in, people_out) in per_site.items():
            expected[label][0] += people_in
            expected[label][1] += people_out
    assert {_wall_clock(r): [r["in"], r["out"]] for r in rows} == expected
    # ... and the same as adding up the sites' own report rows.
    by_site: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code in SITES:
        for row in _report(engine, a.company_id, Level.SITE, code, Interval.HOUR):
            by_site[_wall_clock(row)][0] += row["in"]
            by_site[_wall_clock(row)][1] += row["out"]
    assert by_site == expected
    assert all(r["aggregation_status"] == "complete" for r in rows)


def test_company_days_sum_the_sites_of_each_local_day(engine: Engine, estate) -> None:  # type: ignore[no-untyped-def]
    a, _b, model = estate
    days = _report(engine, a.company_id, Level.COMPANY, str(a.company_id), Interval.DAY)
    assert [r["start"][:10] for r in days] == [DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()]
    for row in days:
        hours = [v for per_site in model.values() for k, v in per_site.items() if k[:10] == row["start"][:10]]
        assert [row["in"], row["out"]] == [sum(v[0] for v in hours), sum(v[1] for v in hours)]


def test_the_company_level_sees_only_its_own_company(engine: Engine, estate) -> None:  # type: ignore[no-untyped-def]
    a, b, _model = estate
    assert _report(engine, b.company_id, Level.COMPANY, "", Interval.DAY) == []
    with pytest.raises(ScopeNotFound, match="no company"):
        _report(engine, b.company_id, Level.COMPANY, str(a.company_id), Interval.DAY)
    assert _report(engine, a.company_id, Level.COMPANY, "Company A", Interval.DAY)


def test_api_serves_level_company_without_an_id(engine: Engine, estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _model = estate
    url = f"/api/v1/counts?level=company&interval=day&from={DAY}&to={DAY}"
    with TestClient(create_app(Settings(data_dir=tmp_path), engine)) as client:
        mine = client.get(url, headers={"Authorization": f"Bearer {a.token}"})
        assert mine.status_code == 200, mine.text
        [row] = mine.json()["data"]
        assert row["in"] == _report(engine, a.company_id, Level.COMPANY, "", Interval.DAY, DAY)[0]["in"] > 0
        assert {"transactions", "conversion_rate"} <= row.keys()
        csv_text = client.get(url + "&format=csv", headers={"Authorization": f"Bearer {a.token}"}).text
        assert csv_text.splitlines()[0].startswith("start,end,in,out")
        other = client.get(url + f"&id={a.company_id}", headers={"Authorization": f"Bearer {b.token}"})
        assert other.status_code == 404 and "no company" in other.json()["detail"]
        missing = client.get(f"/api/v1/counts?level=site&interval=day&from={DAY}&to={DAY}",
                             headers={"Authorization": f"Bearer {a.token}"})
        assert missing.status_code == 422 and "id is required" in missing.text


def test_cli_counts_level_company(engine: Engine, estate, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    a, _b, _model = estate
    monkeypatch.setenv("FOOTFALL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    result = runner.invoke(cli, ["counts", "--company", "Company A", "--level", "company",
                                 "--interval", "day", "--from", str(DAY), "--to", str(DAY),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["in"] == _report(engine, a.company_id, Level.COMPANY, "", Interval.DAY, DAY)[0]["in"]
    refused = runner.invoke(cli, ["counts", "--company", "Company A", "--level", "site",
                                  "--from", str(DAY), "--to", str(DAY)])
    assert refused.exit_code == 1 and "--id is required" in refused.output


def test_export_at_company_level(engine: Engine, estate) -> None:  # type: ignore[no-untyped-def]
    a, _b, _model = estate
    request = ExportRequest.from_query(a.company_id, {"level": "company", "ids": "all", "interval": "day",
                                                      "fromdate": f"{DAY:%Y%m%d}", "todate": f"{DAY:%Y%m%d}"})
    export_plan = plan(engine, request)
    assert [(i.level, i.id, i.name) for i in export_plan.items] == [("company", a.company_id, "Company A")]
    [(_item, rows)] = list(iter_chunks(engine, request, export_plan, NOW, Policy()))
    assert [r["in"] for r in rows] == [r["in"] for r in
                                       _report(engine, a.company_id, Level.COMPANY, "", Interval.DAY, DAY)]
