"""The export centre, the Import page and the dashboard's conversion chart in a real browser
(Debian's Chromium under Playwright) against a real hub, a real FTP server on loopback."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.portal.conftest import ARTIFACTS, Hub
from tests.portal.seed import PASSWORD
from tests.servers import FtpServer, ftp_server

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FtpServer]:
    """A real FTP server on loopback receiving the deliveries."""
    with ftp_server(tmp_path_factory.mktemp("ftp") / "drop") as running:
        yield running


@pytest.fixture
def tab(browser: Any, hub: Hub) -> Iterator[Any]:
    """A fresh page at desktop width that may download files and use the clipboard."""
    context = browser.new_context(viewport=DESKTOP, base_url=hub.url, accept_downloads=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(tab: Any, email: str) -> None:
    """Sign in through the form."""
    tab.goto("/portal/sign-in")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.click("button[type=submit]")


def shoot(tab: Any, name: str, phone: bool = False) -> None:
    """A full-page screenshot at 1280 px (and at 390 px, where the page must not scroll sideways)."""
    ARTIFACTS.mkdir(exist_ok=True)
    sizes = [("1280", DESKTOP)] + ([("390", PHONE)] if phone else [])
    for label, size in sizes:
        tab.set_viewport_size(size)
        try:
            tab.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth",
                                  timeout=10_000)
        except PlaywrightTimeout:
            overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            raise AssertionError(f"{name} at {label}: {overflow} px wider than the screen") from None
        tab.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    tab.set_viewport_size(DESKTOP)


def yesterday() -> datetime:
    """London's yesterday at midnight, local (sales files are in the site's time)."""
    return datetime.combine(datetime.now(LONDON).date() - timedelta(days=1), datetime.min.time())


def dates() -> tuple[str, str]:
    """From the day before yesterday to today, London time."""
    day = yesterday().date()
    return str(day - timedelta(days=1)), str(day + timedelta(days=1))


def choose_columns(tab: Any, keys: list[str]) -> None:
    """Tick exactly `keys`, then arrange them first, in that order, with the ↑ buttons."""
    tab.eval_on_selector_all("#column-list input[type=checkbox]",
                             "boxes => boxes.forEach(b => { b.checked = false; })")
    for place, key in enumerate(keys):
        tab.check(f"#column-list input[value='{key}']")
        while tab.evaluate("(key) => [...document.querySelectorAll('#column-list li')]"
                           ".findIndex(li => li.dataset.key === key)", key) > place:
            tab.click(f"#column-list li[data-key='{key}'] button.up")


def api_export(hub: Hub, query: dict[str, str]) -> bytes:
    """The /api/v1/export file for the same parameters, with company A's token."""
    answer = httpx.get(f"{hub.url}/api/v1/export", params=query, headers=hub.seeded.a.headers, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.content


def test_manual_export_in_a_rearranged_order_and_the_copied_api_url(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["manager"])
    tab.click("nav.nav a:text('Export centre')")
    tab.wait_for_selector("body[data-ready='1']")
    first, last = dates()
    tab.select_option("#ids", ["site:LDN01"])
    tab.select_option("#interval", "hour")
    tab.fill("#fromdate", first)
    tab.fill("#todate", last)
    choose_columns(tab, ["in", "date", "code"])
    with tab.expect_download() as download:
        tab.click("#download")
    content = Path(download.value.path()).read_bytes()
    table = list(csv.reader(io.StringIO(content.decode())))
    assert table[0] == ["Visitors in", "Date", "Code"]
    assert sum(int(row[0]) for row in table[1:]) > 0
    query = {"level": "site", "ids": "LDN01", "interval": "hour", "fromdate": first.replace("-", ""),
             "todate": last.replace("-", ""), "format": "csv", "columns": "in,date,code"}
    assert content == api_export(hub, query)

    with tab.expect_navigation():
        tab.click("#build-url")
    kept = tab.eval_on_selector_all("#column-list li", "items => items.slice(0, 3).map(li => li.dataset.key)")
    assert kept == ["in", "date", "code"]
    tab.click("#copy-export")
    tab.wait_for_function("document.getElementById('copied-export').textContent === 'Copied.'")
    copied = tab.evaluate("() => navigator.clipboard.readText()")
    assert copied == tab.input_value("#url-export")
    assert "access_token=YOUR_API_TOKEN" in copied and hub.seeded.a.token not in tab.content()
    fetched = httpx.get(copied.replace("YOUR_API_TOKEN", hub.seeded.a.token), timeout=60)
    assert fetched.status_code == 200 and fetched.content == content
    shoot(tab, "exports", phone=True)


def test_a_delivery_runs_now_to_ftp_and_shows_in_its_history(tab: Any, hub: Hub, ftp: FtpServer) -> None:
    sign_in(tab, hub.seeded.a.users["admin"])
    tab.goto("/portal/exports")
    with tab.expect_navigation():
        tab.click("#new-delivery")
    tab.wait_for_selector("body[data-ready='1']")
    tab.fill("#name", "London daily to FTP")
    tab.select_option("#ids", ["site:LDN01"])
    tab.select_option("#interval", "hour")
    assert tab.is_hidden("#host")  # e-mail first: the FTP fields appear with the destination
    tab.select_option("#destination", "ftp")
    tab.fill("#host", ftp.host)
    tab.fill("#port", str(ftp.port))
    tab.fill("#username", ftp.user)
    tab.fill("#password", ftp.password)
    tab.fill("#directory", "/")
    tab.fill("#retries", "0")
    with tab.expect_navigation():
        tab.click("#save")
    assert "Saved." in tab.inner_text("#saved-message")
    assert tab.input_value("#password") == "" and ftp.password not in tab.content()
    with tab.expect_navigation():
        tab.click("#run-now")
    assert "Ran now: 1 run(s)" in tab.inner_text("#ran-message")
    row = tab.locator("#history tbody tr")
    assert row.count() == 1 and row.get_attribute("data-status") == "delivered"
    file_name = row.locator("td:nth-child(9)").inner_text()
    delivered = (ftp.root / file_name).read_bytes()
    assert row.locator("td:nth-child(7)").inner_text() == str(len(delivered))
    assert delivered.decode().startswith("Code,Name,Date,Time,Visitors in")
    shoot(tab, "exports-delivery")
    tab.goto("/portal/exports")
    assert "delivered" in tab.inner_text("#deliveries tr[data-name='London daily to FTP']")


def test_sales_upload_with_a_custom_mapping_history_and_log(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["manager"])
    tab.click("nav.nav a:text('Import')")
    with tab.expect_navigation():
        tab.click("#new-profile")
    day = yesterday()
    lines = ["Shop;When;Receipts;Till total;Cashier"]
    lines += [f"LDN01;{day + timedelta(hours=h):%Y-%m-%d %H:%M};{h - 5};{(h - 5) * 9.5:.2f};ann"
              for h in range(9, 18)]
    lines.append(f"LDN01;{day:%Y-%m-%d} 18:00;3.5;10.00;bob")  # a fractional quantity: a bad row
    till = "\n".join(lines).encode()
    tab.set_input_files("#sample", files=[{"name": "till.csv", "mimeType": "text/csv", "buffer": till}])
    tab.select_option("#sample-form select[name=delimiter]", "semicolon")
    with tab.expect_navigation():
        tab.click("#read-sample")
    assert "Cashier" in tab.inner_text("#sample-columns")
    for field, header in (("store_code", "Shop"), ("date_time", "When"), ("quantity", "Receipts"),
                          ("value", "Till total")):
        tab.select_option(f"#map-{field}", header)
    assert tab.input_value("#profile-form select[name=delimiter]") == "semicolon"
    tab.fill("#profile-name", "till")
    tab.fill("#date_format", "YYYY-MM-DD hh:mm")
    with tab.expect_navigation():
        tab.click("#save-profile")
    assert tab.input_value("#profile") == "till"
    tab.set_input_files("#file", files=[{"name": "till.csv", "mimeType": "text/csv", "buffer": till}])
    tab.check("#valid_rows_only")
    with tab.expect_navigation():
        tab.click("#import")
    assert tab.inner_text("#import-badge") == "partial"
    errors = tab.locator("#errors tbody tr")
    assert errors.count() == 1 and "11" in errors.locator("td").first.inner_text()
    with tab.expect_download() as download:
        tab.click("#log-link")
    log = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["line"], r["field"], r["value"]) for r in log] == [("11", "Receipts", "3.5")]
    tab.goto("/portal/imports")
    history = tab.locator("#imports tr[data-file='till.csv']")
    assert history.count() == 1 and "partial" in history.inner_text()
    with tab.expect_download() as again:
        history.locator("a.log-link").click()
    assert Path(again.value.path()).read_text() == Path(download.value.path()).read_text()
    shoot(tab, "imports")


def test_the_dashboard_shows_conversion_where_sales_exist(tab: Any, hub: Hub) -> None:
    day = yesterday()
    lines = ["StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue"]
    lines += [f"LDN01,{day + timedelta(hours=h):%d-%m-%Y %H:%M},{h % 4 + 1},{(h % 4 + 1) * 7.25:.2f}"
              for h in range(8, 20)]
    sent = httpx.post(f"{hub.url}/api/v1/sales/imports", headers=hub.seeded.a.headers, timeout=60,
                      files={"file": ("pos.csv", "\n".join(lines).encode(), "text/csv")})
    assert sent.status_code == 201, sent.text
    sign_in(tab, hub.seeded.a.users["viewer"])
    first, last = dates()
    site = hub.seeded.a.sites["LDN01"]
    tab.goto(f"/portal/dashboard?level=site&id={site}&interval=hour&from={first}&to={last}")
    tab.wait_for_selector("body[data-charts-ready='1']")
    expected = httpx.get(f"{hub.url}/api/v1/counts", headers=hub.seeded.a.headers, timeout=60, params={
        "level": "site", "id": str(site), "interval": "hour", "from": first, "to": last}).json()["data"]
    traces = tab.evaluate("""() => document.getElementById('chart-conversion').data
                                   .slice(0, 2).map(t => ({name: t.name, y: t.y}))""")
    assert [t["name"] for t in traces] == ["transactions", "conversion rate"]
    assert traces[0]["y"] == [r["transactions"] for r in expected]
    assert traces[1]["y"] == [r["conversion_rate"] for r in expected]
    assert sum(y for y in traces[0]["y"] if y) == sum(h % 4 + 1 for h in range(8, 20))
    assert tab.is_visible("#chart-transaction_value") and tab.is_visible("#total-conversion")
    tab.locator("#chart-conversion").scroll_into_view_if_needed()
    shoot(tab, "dashboard-conversion")
    tab.goto(f"/portal/dashboard?level=site&id={hub.seeded.a.sites['KUL01']}&interval=hour")
    tab.wait_for_selector("body[data-charts-ready='1']")
    assert tab.locator("#chart-conversion").count() == 0
