"""The portal in a real browser (Debian's Chromium under Playwright) against a real hub."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import httpx
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from footfall.portal.accounts import create_portal_user
from footfall.storage.engine import write_tx
from tests.portal.conftest import ARTIFACTS, Hub
from tests.portal.seed import PASSWORD, UNASSIGNED, unassigned_id

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(tab: Any, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form."""
    tab.goto("/portal/sign-in")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")


def figure(tab: Any, chart: str) -> dict[str, Any]:
    """The numbers plotted in a chart, read from the plotly figure in the page."""
    tab.wait_for_selector("body[data-charts-ready='1']")
    return tab.evaluate("""(id) => {
        const div = document.getElementById(id);
        return {traces: div.data.map(t => ({name: t.name, x: t.x, y: t.y}))};
    }""", chart)


def shoot(tab: Any, name: str) -> None:
    """Screenshots at desktop and phone width; the page must not scroll sideways on a phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in (("1280", DESKTOP), ("phone", PHONE)):
        tab.set_viewport_size(size)
        tab.wait_for_selector("body[data-charts-ready='1']")
        try:  # plotly re-lays its charts out a moment after the window changes size
            tab.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=10_000)
        except PlaywrightTimeout:
            overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            raise AssertionError(f"{name} at {label}: {overflow} px wider than the screen") from None
        tab.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    tab.set_viewport_size(DESKTOP)


def api_counts(hub: Hub, **params: str) -> list[dict[str, Any]]:
    """The /api/v1/counts rows for the same query, with company A's token."""
    answer = httpx.get(f"{hub.url}/api/v1/counts", params=params, headers=hub.seeded.a.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def test_dashboard_chart_numbers_equal_the_counts_api(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["viewer"])
    tab.wait_for_url("**/portal/dashboard")
    site_id = hub.seeded.a.sites["LDN01"]
    with tab.expect_navigation():
        tab.select_option("#scope", f"site:{site_id}")
    assert tab.input_value("#interval") == "day"
    with tab.expect_navigation():
        tab.select_option("#interval", "hour")
    assert "interval=hour" in tab.url
    first, last = tab.input_value("#from"), tab.input_value("#to")
    assert (date.fromisoformat(last) - date.fromisoformat(first)).days == 1  # hours start at 2 days
    expected = api_counts(hub, level="site", id=str(site_id), interval="hour", **{"from": first, "to": last})
    visitors = figure(tab, "chart-visitors")["traces"]
    assert visitors[0]["name"] == "in" and visitors[1]["name"] == "out"
    assert visitors[0]["y"] == [r["in"] for r in expected]
    assert visitors[1]["y"] == [r["out"] for r in expected]
    assert visitors[0]["x"] == [r["start"][:19] for r in expected]
    assert sum(visitors[0]["y"]) > 0
    occupancy = figure(tab, "chart-occupancy")["traces"][0]
    assert occupancy["y"] == [r["occupancy"] for r in expected]
    outside = figure(tab, "chart-outside")["traces"]
    assert outside[0]["y"] == [r["outside_traffic"] for r in expected]
    assert outside[1]["y"] == [r["turn_in_rate"] for r in expected]
    # Partial buckets are drawn differently: the bar's pattern follows the status.
    patterns = tab.evaluate("() => document.getElementById('chart-visitors').data[0].marker.pattern.shape")
    statuses = [r["aggregation_status"] for r in expected]
    assert "partial" in statuses and "complete" in statuses
    assert [p == "/" for p in patterns] == [s == "partial" for s in statuses]
    legend = tab.evaluate("() => document.getElementById('chart-visitors').data.map(t => t.name)")
    assert {"complete", "partial (hatched)", "unverified (outlined)"} <= set(legend)
    with tab.expect_navigation():
        tab.check("input[name=compare][value=previous]")
    names = [t["name"] for t in figure(tab, "chart-visitors")["traces"]]
    assert "in, previous period" in names
    shoot(tab, "dashboard")


def test_site_page_follows_the_live_stream(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["viewer"])
    tab.wait_for_url("**/portal/dashboard")
    site_id = hub.seeded.a.sites["LDN01"]
    tab.goto(f"/portal/sites/{site_id}")
    tab.wait_for_function("Number(document.getElementById('live').dataset.updates || 0) >= 1")
    before = int(tab.inner_text("#live-in"))
    now = int(time.time()) - 2
    event = {"Topic": "ffc-eventrawdata", "Data": {
        "EventStartTime": now, "EventEndTime": now, "MetricId": 1, "RoiId": 1, "PeopleTypeId": 1,
        "PeopleId": 4242, "CameraSerial": "00000000a0000002", "UUID": "00000000-0000-4000-8000-0000000b0b01"}}
    sent = httpx.post(f"{hub.url}/api/v1/ingest/events", json=[event], headers=hub.seeded.a.headers)
    assert sent.status_code == 200, sent.text
    tab.wait_for_function(f"Number(document.getElementById('live-in').textContent) === {before + 1}")
    assert "in · 00000000a0000002" in tab.inner_text("#live-feed")
    doors = figure(tab, "chart-doors")["traces"]
    assert [t["name"] for t in doors[:2]] == ["Door 1", "Door 2"]
    shoot(tab, "site")


def test_assign_an_unassigned_counter(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["manager"])
    tab.wait_for_url("**/portal/dashboard")
    tab.goto("/portal/counters")
    row = tab.locator(f"#unassigned tr[data-serial='{UNASSIGNED}']")
    shoot(tab, "counters")
    row.locator("select[name=site_id]").select_option(str(hub.seeded.a.sites["KUL01"]))
    with tab.expect_navigation():
        row.locator("button[type=submit]").click()
    assert UNASSIGNED in tab.inner_text("#assigned-message")
    assert tab.locator(f"#unassigned tr[data-serial='{UNASSIGNED}']").count() == 0
    assert tab.inner_text(f"#counters tr[data-serial='{UNASSIGNED}'] td:nth-child(3)") == "KUL01"
    counter = httpx.get(f"{hub.url}/api/v1/counters/{unassigned_id(hub.engine)}",
                        headers=hub.seeded.a.headers).json()
    assert counter["site_id"] == hub.seeded.a.sites["KUL01"]


def test_a_form_post_without_csrf_token_is_refused(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["admin"])
    tab.wait_for_url("**/portal/dashboard")
    refused = tab.request.post(f"/portal/counters/{unassigned_id(hub.engine)}/assign",
                               form={"site_id": str(hub.seeded.a.sites["LDN01"])})
    assert refused.status == 403 and "CSRF" in refused.text()
    refused = tab.request.post("/portal/sign-out", form={"csrf_token": "forged"})
    assert refused.status == 403
    tab.goto("/portal/dashboard")
    assert tab.url.endswith("/portal/dashboard")  # still signed in


def test_a_viewer_cannot_reach_settings(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["viewer"])
    tab.wait_for_url("**/portal/dashboard")
    links = tab.eval_on_selector_all("nav.nav a", "links => links.map(a => a.textContent)")
    assert links == ["Dashboard", "Sites", "Counters"]
    answer = tab.goto("/portal/settings")
    assert answer.status == 403
    assert "may not open the Settings page" in tab.inner_text("#error-message")


def test_lock_out_after_repeated_failed_sign_ins(tab: Any, hub: Hub) -> None:
    email = "locked@acme.example"
    with write_tx(hub.engine) as conn:
        create_portal_user(conn, hub.seeded.a.id, email, PASSWORD, "viewer")
    for _ in range(2):
        sign_in(tab, email, "not the password")
        assert tab.inner_text("#sign-in-message") == "E-mail or password is wrong."
    sign_in(tab, email, "not the password")
    assert "Too many failed sign-ins for this account" in tab.inner_text("#sign-in-message")
    sign_in(tab, email)  # the right password no longer helps
    assert "Too many failed sign-ins for this account" in tab.inner_text("#sign-in-message")
    assert "/portal/sign-in" in tab.url


def test_company_b_never_sees_company_a(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.b.users["admin"])
    tab.wait_for_url("**/portal/dashboard")
    options = tab.eval_on_selector_all("#scope option", "options => options.map(o => o.textContent)")
    assert any("BER01" in o for o in options) and not any("LDN01" in o or "KUL01" in o for o in options)
    assert "Acme" not in tab.content()
    answer = tab.goto(f"/portal/sites/{hub.seeded.a.sites['LDN01']}")
    assert answer.status == 404
