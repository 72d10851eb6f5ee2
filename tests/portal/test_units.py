"""The portal's pure parts: lock-out rule, view parsing and comparison periods, chart styles,
coverage grid, online state, page table, safe redirects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from footfall.domain.timegrid import Interval
from footfall.portal import charts
from footfall.portal.counter_health import HOURS, connection_state, coverage_grid
from footfall.portal.dashboard import pooled_sales, totals
from footfall.portal.lockout import ACCOUNT, ADDRESS, Lock, LockoutPolicy, after_failure, lock_of
from footfall.portal.pages import PAGES, allowed_pages, check_pages, navigation
from footfall.portal.routes_auth import safe_next
from footfall.portal.sessions import signer, signing_key, unsign
from footfall.portal.view import View, ViewError, add_months, compared_range, parse_view
from footfall.settings import Settings

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
POLICY = LockoutPolicy(account_failures=3, address_failures=5, window=timedelta(minutes=15),
                       lock=timedelta(minutes=10))


def test_failures_lock_at_the_limit_within_the_window() -> None:
    tally = None
    for n in range(3):
        tally = after_failure(tally, POLICY.limit(ACCOUNT), POLICY, T0 + timedelta(minutes=n))
    assert tally is not None and tally.failures == 3
    lock = lock_of(ACCOUNT, tally, T0 + timedelta(minutes=3))
    assert lock == Lock(ACCOUNT, T0 + timedelta(minutes=12))
    assert lock.message(T0 + timedelta(minutes=3)).startswith(
        "Too many failed sign-ins for this account: signing in is locked for 9 more minutes.")
    assert lock_of(ACCOUNT, tally, T0 + timedelta(minutes=12)) is None  # the lock ran out


def test_failures_spread_beyond_the_window_do_not_lock() -> None:
    tally = None
    for n in range(6):
        tally = after_failure(tally, 3, POLICY, T0 + timedelta(minutes=10 * n))
        assert lock_of(ACCOUNT, tally, T0 + timedelta(minutes=10 * n)) is None
    assert POLICY.limit(ADDRESS) == 5


def test_lock_message_for_an_address_in_the_last_minute() -> None:
    lock = Lock(ADDRESS, T0 + timedelta(seconds=20))
    assert "your network address: signing in is locked for 1 more minute." in lock.message(T0)


def test_view_defaults_and_errors() -> None:
    today = date(2025, 3, 10)
    view = parse_view({}, [], today)
    assert (view.level, view.interval, view.first, view.last) == ("company", Interval.DAY,
                                                                  date(2025, 2, 25), today)
    hours = parse_view({"scope": "site:7", "interval": "hour"}, ["previous"], today)
    assert (hours.level, hours.ident, hours.first, hours.compare) == ("site", "7", date(2025, 3, 9),
                                                                     ("previous",))
    for params, compare, words in (({"level": "area"}, [], "level='area'"),
                                   ({"interval": "minute"}, [], "interval='minute'"),
                                   ({"to": "2025-01-01", "from": "2025-02-01"}, [], "before from"),
                                   ({}, ["tomorrow"], "compare='tomorrow'")):
        with pytest.raises(ViewError, match=words):
            parse_view(params, compare, today)


def test_comparison_periods() -> None:
    days = View("site", "1", Interval.DAY, date(2025, 3, 1), date(2025, 3, 14))
    assert compared_range(days, "previous") == (date(2025, 2, 15), date(2025, 2, 28))
    assert compared_range(days, "last_year") == (date(2024, 3, 2), date(2024, 3, 15))
    assert date(2024, 3, 2).weekday() == date(2025, 3, 1).weekday()
    weeks = View("site", "1", Interval.WEEK, date(2025, 3, 3), date(2025, 3, 12))
    assert compared_range(weeks, "previous") == (date(2025, 2, 17), date(2025, 2, 26))
    months = View("site", "1", Interval.MONTH, date(2024, 3, 31), date(2024, 5, 31))
    assert compared_range(months, "previous") == (date(2023, 12, 31), date(2024, 2, 29))
    assert compared_range(months, "last_year") == (date(2023, 3, 31), date(2023, 5, 31))
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def _row(start: str, value: int, status: str, verified: bool) -> dict:  # type: ignore[type-arg]
    return {"start": start, "in": value, "out": value, "outside_traffic": None, "turn_in_rate": None,
            "occupancy": value, "aggregation_status": status, "missing_counters": [] if status == "complete"
            else ["00000000a0000001"], "verification_status": "verified" if verified else "unverified"}


def test_every_bucket_shows_its_status() -> None:
    rows = [_row("2025-03-01T10:00:00+00:00", 5, "complete", True),
            _row("2025-03-01T11:00:00+00:00", 3, "partial", False),
            _row("2025-03-01T12:00:00+00:00", 0, "no_data", False)]
    figure = charts.visitors_figure(rows, {})
    bars = figure["data"][0]
    assert bars["x"] == ["2025-03-01T10:00:00", "2025-03-01T11:00:00", "2025-03-01T12:00:00"]
    assert bars["marker"]["pattern"]["shape"] == ["", "/", ""]
    assert bars["marker"]["opacity"] == [1.0, 0.55, 0.25]
    assert bars["marker"]["line"]["width"] == [0.0, charts.UNVERIFIED_LINE, charts.UNVERIFIED_LINE]
    assert figure["data"][2]["x"] == ["2025-03-01T12:00:00"]  # × where there was no data
    assert {t["name"] for t in figure["data"][3:]} == {"complete", "partial (hatched)", "no data (×)",
                                                        "unverified (outlined)"}
    occupancy = charts.occupancy_figure(rows, True)["data"][0]
    assert occupancy["marker"]["symbol"] == ["circle", "circle-open", "x"]
    assert charts.outside_figure(rows) is None


def test_comparison_lines_up_bucket_by_bucket() -> None:
    now = [_row(f"2025-03-0{d}T00:00:00+00:00", d, "complete", True) for d in (1, 2, 3)]
    before = [_row(f"2025-02-2{d}T00:00:00+00:00", 10 * d, "complete", True) for d in (6, 7)]
    trace = charts.comparison("in, previous period", now, before, "in")
    assert trace["x"] == ["2025-03-01T00:00:00", "2025-03-02T00:00:00"] and trace["y"] == [60, 70]
    assert trace["customdata"] == ["2025-02-26T00:00:00", "2025-02-27T00:00:00"]


def test_coverage_grid_places_hours_in_the_window() -> None:
    start = 1_740_000_000 // 3600 * 3600
    grid = coverage_grid([(1, start, 3600, 3600), (1, start + 7200, 3600, 1800),
                          (2, start - 3600, 3600, 3600), (2, start + HOURS * 3600, 3600, 3600)], start)
    assert grid[1][:3] == [1.0, 0.0, 0.5] and len(grid[1]) == HOURS
    assert 2 not in grid  # both outside the window


def test_connection_state_by_channel() -> None:
    seen = T0 - timedelta(minutes=30)
    assert connection_state(None, None, "websocket", T0) == "never"
    assert connection_state(seen, None, "websocket", T0) == "offline"
    assert connection_state(seen, None, "device_api", T0) == "online"
    assert connection_state(seen, seen, "device_api", T0) == "offline"
    assert connection_state(T0 - timedelta(hours=25), None, "ftp", T0) == "online"


def test_page_table() -> None:
    assert allowed_pages("viewer") == {"dashboard", "sites", "counters"}
    assert "company" not in allowed_pages("manager") and "settings" in allowed_pages("manager")
    assert "company" in allowed_pages("admin")
    assert allowed_pages("admin", ["dashboard", "company"]) == {"dashboard", "company"}
    assert allowed_pages("viewer", ["company"]) == frozenset()  # a limit never widens the role
    shown = [p.key for p in navigation(allowed_pages("admin"))]
    assert shown == ["dashboard", "sites", "counters", "exports", "imports", "integration"]  # built ones
    assert all(p.path is None or p.path.startswith("/portal/") for p in PAGES)
    with pytest.raises(ValueError, match="unknown page 'reports'"):
        check_pages(["dashboard", "reports"])


def test_only_portal_paths_are_followed_after_sign_in() -> None:
    assert safe_next("/portal/sites/3?x=1") == "/portal/sites/3?x=1"
    for target in ("https://evil.example/", "//evil.example/portal/", "/api/v1/sites", None, "/portal\\x"):
        assert safe_next(target) == "/portal/dashboard"


def test_signing_key_file_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    key = signing_key(settings)
    assert signing_key(settings) == key and len(key) == 32
    assert (tmp_path / "data" / "portal-session.key").stat().st_mode & 0o777 == 0o600
    cookie = signer(key).sign("token").decode()
    assert unsign(key, cookie) == "token" and unsign(key, cookie + "x") is None
    assert signing_key(Settings(data_dir=tmp_path, secret_key="abc")) != key


def test_tile_rates_are_rounded_once_from_the_totals() -> None:
    # 357 / 1,121 = 31.8466 %: the rate rounded to four decimals (0.3185) would show 31.9 %.
    row = {"in": 1_121, "out": 0, "outside_traffic": None, "occupancy": 0,
           "aggregation_status": "complete", "verification_status": "verified",
           "transactions": 357, "sales_value": 100.0}
    sales = pooled_sales([row])
    assert sales["conversion_rate"] == 0.3185 and f"{sales['conversion_percent']:.1f}" == "31.8"
    unsold = {**row, "transactions": None, "sales_value": None}
    assert pooled_sales([unsold])["conversion_percent"] is None
    passing = totals([{**unsold, "in": 357, "outside_traffic": 1_121}])
    assert passing["turn_in_rate"] == 0.3185 and f"{passing['turn_in_percent']:.1f}" == "31.8"
