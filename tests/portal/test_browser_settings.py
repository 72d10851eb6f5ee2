"""The settings pages in a real browser (Debian's Chromium under Playwright) against a real hub:
an admin creates a site, a counter with pull credentials and an API token, at 1280 px and at
phone width, and the token works on the API. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.portal.conftest import ARTIFACTS, Hub
from tests.portal.seed import PASSWORD

WIDTHS = {"1280": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def screen(browser: Any, hub: Hub, request: pytest.FixtureRequest) -> Any:
    """A fresh browser page (own cookies) at the width the test is parametrised with."""
    context = browser.new_context(viewport=WIDTHS[request.param], base_url=hub.url)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def shoot(tab: Any, name: str, width: str) -> None:
    """A full-page screenshot; on a phone the page must not scroll sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        tab.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=5_000)
    except PlaywrightTimeout:
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        raise AssertionError(f"{name} at {width}: {overflow} px wider than the screen") from None
    tab.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("screen", list(WIDTHS), indirect=True)
def test_an_admin_sets_up_a_site_a_pulled_counter_and_a_token(screen: Any, hub: Hub) -> None:
    tab, width = screen, "phone" if screen.viewport_size["width"] < 500 else "1280"
    code, secret = f"PAR{width[:2].upper()}", f"pull-{width}-S3cret!"
    serial = f"00000000e000{screen.viewport_size['width']:04d}"
    tab.goto("/portal/settings")  # signed out: the sign-in form, then straight back here
    tab.fill("input[name=email]", hub.seeded.a.users["admin"])
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/portal/settings")
    tab.click("#settings-sections >> text=Sites and groups")
    tab.wait_for_url("**/portal/settings/sites")
    form = tab.locator("#site-form")
    form.locator("input[name=code]").fill(code)
    form.locator("input[name=name]").fill(f"Paris ({width})")
    form.locator("input[name=timezone]").fill("Europe/Paris")
    form.locator("input[name=capacity]").fill("80")
    form.locator("input[name=hours_mon]").fill("09:00-19:00")
    form.locator("button[type=submit]").click()
    tab.wait_for_url("**/portal/settings/sites/*?done=created")
    assert tab.locator("#form-notice").inner_text() == "The site was created."
    assert tab.input_value("input[name=hours_mon]") == "09:00-19:00"
    shoot(tab, "settings-site", width)

    tab.goto("/portal/settings/counters")
    form = tab.locator("#counter-form")
    form.locator("input[name=serial]").fill(serial)
    form.locator("input[name=name]").fill("Front door")
    form.locator("select[name=site_id]").select_option(label=f"{code} · Paris ({width})")
    form.locator("select[name=channel]").select_option("device_api")
    form.locator("input[name=host]").fill("192.0.2.10")
    form.locator("input[name=username]").fill("admin")
    form.locator("input[name=password]").fill(secret)
    form.locator("button[type=submit]").click()
    tab.wait_for_url("**/portal/settings/counters/*?done=created")
    assert tab.locator("#password-state").inner_text() == "Password: set"
    assert tab.input_value("input[name=password]") == ""
    assert secret not in tab.content()
    shoot(tab, "settings-counter", width)

    tab.goto("/portal/settings/tokens")
    form = tab.locator("#token-form")
    form.locator("input[name=name]").fill(f"BI {width}")
    form.locator("select[name=role]").select_option("viewer")
    form.locator("button[type=submit]").click()
    token = tab.locator("#token-value").inner_text()
    assert token.startswith("ff_")
    shoot(tab, "settings-token", width)
    bearer = {"Authorization": f"Bearer {token}"}
    sites = httpx.get(f"{hub.url}/api/v1/sites", headers=bearer, timeout=30)
    assert sites.status_code == 200 and code in [s["code"] for s in sites.json()]
    refused = httpx.delete(f"{hub.url}/api/v1/sites/{sites.json()[0]['id']}", headers=bearer, timeout=30)
    assert refused.status_code == 403 and "viewer role" in refused.json()["detail"]
    tab.goto("/portal/settings/tokens")
    assert token not in tab.content() and f"BI {width}" in tab.locator("#tokens").inner_text()
