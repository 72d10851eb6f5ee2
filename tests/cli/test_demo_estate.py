"""The demo estate: its shape, its data's honesty, determinism and idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.demo.estate import build_demo
from footfall.domain.timegrid import Interval
from footfall.domain.verification import Policy
from footfall.estate.counters import list_counters
from footfall.estate.site_groups import list_site_groups
from footfall.estate.sites import list_sites
from footfall.query.counts import CountsRequest, public, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.settings import Settings
from footfall.storage.engine import make_engine, read_tx
from footfall.storage.migrate import upgrade
from footfall.storage.tables import alive_span, count_cell, counter, event, site
from tests.cli.conftest import Hub

NOW = datetime(2024, 3, 20, 14, 30, tzinfo=UTC)  # a Wednesday; 22:30 in Kuala Lumpur
NOW_TS = int(NOW.timestamp())
DAYS = 4  # history 2024-03-16 … 2024-03-19 in both zones; KUL's street door misses the 17th


def _rows(engine: Engine, company_id: int, level: Level, ident: str, interval: Interval,
          first: date, last: date | None = None) -> list[dict[str, Any]]:
    refresh(engine)
    request = CountsRequest(company_id, level, ident, interval, first, last or first)
    with read_tx(engine) as conn:
        return public(report(conn, request, NOW_TS, Policy()))


def _table_sizes(engine: Engine) -> dict[str, int]:
    with read_tx(engine) as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (event, count_cell, alive_span, counter, site)}


def test_demo_estate_has_two_sites_five_counters_and_a_group(sqlite_engine: Engine) -> None:
    built = build_demo(sqlite_engine, days=DAYS, now=NOW)
    assert built.totals.errors == []
    with read_tx(sqlite_engine) as conn:
        sites = list_sites(conn, built.company_id)
        counters = list_counters(conn, built.company_id)
        groups = list_site_groups(conn, built.company_id)
    assert sorted((s["code"], s["timezone"]) for s in sites) == [
        ("KUL01", "Asia/Kuala_Lumpur"), ("LDN01", "Europe/London")]
    assert len(counters) == 5 and all(c["site_id"] is not None for c in counters)
    assert [(g["name"], len(g["site_ids"])) for g in groups] == [("All stores", 2)]
    assert all(s["opening_hours"] for s in sites)


def test_a_past_site_day_is_complete_balanced_and_has_outside_traffic(sqlite_engine: Engine) -> None:
    built = build_demo(sqlite_engine, days=DAYS, now=NOW)
    [day] = _rows(sqlite_engine, built.company_id, Level.SITE, "LDN01", Interval.DAY,
                  date(2024, 3, 19))
    assert day["aggregation_status"] == "complete"
    assert day["verification_status"] == "verified", day["verification_reasons"]
    assert day["in"] == day["out"] > 500
    assert 0 < day["staff_in"] < day["in"] * 0.1
    assert day["outside_traffic"] > day["in"]
    assert 0.05 < day["turn_in_rate"] < 0.5
    hours = _rows(sqlite_engine, built.company_id, Level.SITE, "LDN01", Interval.HOUR,
                  date(2024, 3, 19))
    # Opening hours (Tuesday 09:00–20:00): nobody comes in at night, yet the night is covered.
    assert {h["in"] for h in hours[:9]} == {0}
    assert all(h["aggregation_status"] == "complete" for h in hours)
    assert max(hours, key=lambda h: h["in"])["start"][11:13] in {"12", "13", "16", "17", "18"}


def test_the_missed_day_is_partial_and_names_the_counter(sqlite_engine: Engine) -> None:
    built = build_demo(sqlite_engine, days=DAYS, now=NOW)
    days = _rows(sqlite_engine, built.company_id, Level.SITE, "KUL01", Interval.DAY,
                 date(2024, 3, 16), date(2024, 3, 19))
    assert [d["aggregation_status"] for d in days] == ["complete", "partial", "complete", "complete"]
    assert days[1]["missing_counters"] == ["00000000d3m0b002"]


def test_today_so_far_comes_from_live_events_and_the_alive_span(sqlite_engine: Engine) -> None:
    built = build_demo(sqlite_engine, days=DAYS, now=NOW)
    with read_tx(sqlite_engine) as conn:
        events = conn.execute(select(func.count()).select_from(event)).scalar_one()
    assert events > 0
    hours = _rows(sqlite_engine, built.company_id, Level.SITE, "LDN01", Interval.HOUR,
                  date(2024, 3, 20))
    by_hour = {h["start"][11:16]: h for h in hours}
    assert by_hour["13:00"]["aggregation_status"] == "complete" and by_hour["13:00"]["in"] > 0
    assert by_hour["16:00"]["aggregation_status"] == "no_data"


def test_running_twice_changes_nothing(sqlite_engine: Engine) -> None:
    first = build_demo(sqlite_engine, days=DAYS, now=NOW)
    before = _rows(sqlite_engine, first.company_id, Level.SITE_GROUP, "All stores", Interval.DAY,
                   date(2024, 3, 16), date(2024, 3, 20))
    sizes = _table_sizes(sqlite_engine)
    second = build_demo(sqlite_engine, days=DAYS, now=NOW)
    after = _rows(sqlite_engine, first.company_id, Level.SITE_GROUP, "All stores", Interval.DAY,
                  date(2024, 3, 16), date(2024, 3, 20))
    assert second.company_id == first.company_id
    assert second.totals.accepted == 0 and second.totals.duplicates > 0
    assert _table_sizes(sqlite_engine) == sizes
    assert after == before


def test_same_seed_same_data_other_seed_other_data(sqlite_engine: Engine, tmp_path: Path) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    third = make_engine(f"sqlite:///{tmp_path / 'third.db'}")
    upgrade(third)
    try:
        totals = []
        for engine, seed in ((sqlite_engine, 7), (other, 7), (third, 8)):
            built = build_demo(engine, days=DAYS, now=NOW, seed=seed)
            rows = _rows(engine, built.company_id, Level.SITE_GROUP, "All stores", Interval.DAY,
                         date(2024, 3, 16), date(2024, 3, 20))
            totals.append([(r["start"], r["in"], r["out"], r["outside_traffic"]) for r in rows])
        assert totals[0] == totals[1]
        assert totals[0] != totals[2]
    finally:
        other.dispose()
        third.dispose()


def test_demo_command_builds_and_prints_a_working_token(hub: Hub, tmp_path: Path) -> None:
    result = hub.run("demo", "--no-serve", "--days", "2", "--data-dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    token = next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("Token:"))
    assert f"Bearer {token}" in result.stdout
    assert "format=csv" in result.stdout and "/docs" in result.stdout
    assert (tmp_path / "demo" / "footfall.db").exists()
    assert not hub.data_dir.exists()  # --data-dir wins over FOOTFALL_DATA_DIR
    settings = Settings(data_dir=tmp_path / "demo")
    with TestClient(create_app(settings)) as client:
        sites = client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
    assert sorted(s["code"] for s in sites.json()) == ["KUL01", "LDN01"]
