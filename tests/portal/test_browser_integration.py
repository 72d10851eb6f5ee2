"""The integration tool in a real browser (Debian's Chromium under Playwright) against a real hub:
build a minute query and get a simulated counter's answer, copy a snippet, and watch a simulated
WebSocket counter's `generic-test-topic` arrive live at the address the page gives."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from websockets.asyncio.client import connect

from footfall.connectors.device_api import store
from footfall.estate.counters import create_counter
from footfall.security.secrets import secret_box
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.devices.ws_push import WsPushDevice
from footfall.simulator.fleet import CounterSpec, SiteSpec
from footfall.storage.engine import write_tx
from tests.connectors.device_api.fleet import BACK, FLEET, NOW, SERIALS
from tests.portal.conftest import ARTIFACTS, Hub
from tests.portal.test_browser import sign_in
from tests.portal.test_integration_send import DAY, SECRET
from tests.simulator.devices_harness import Devices, SteppedClock

SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}
PUSHING = "00000000a0000002"  # a door of company A, pushing over the WebSocket


@pytest.fixture(scope="module")
def pulled(hub: Hub) -> Iterator[int]:
    """A simulated device-API counter (its clock at NOW) registered in company A with its login."""
    with Devices(DeviceApiServer(FLEET, SERIALS, SteppedClock(NOW))) as server:
        address = urlsplit(server.endpoint(BACK))
        with write_tx(hub.engine) as conn:
            row = create_counter(conn, hub.seeded.a.id, BACK, "Back door", channel="device_api",
                                 host=address.hostname, port=address.port)
            store.save_login(conn, row["id"], {"username": "admin", "password_sealed":
                                               secret_box(hub.app.state.settings).seal(SECRET)})
        yield int(row["id"])


class PushingCounter:
    """The simulator's WebSocket counter, on its own event loop in a thread (Playwright holds this one)."""

    def __init__(self, url: str, token: str) -> None:
        site = SiteSpec("LDN01", "London", "Europe/London", ((0, 1440),) * 7, 100)
        counter = CounterSpec(PUSHING, "FFC-2025-000002", "LDN01", 2, 1.0, False, ("ws",))
        self.device = WsPushDevice(counter, site, url, clock=SimClock(), auth=("integration-test", token),
                                   python_literal=True)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> PushingCounter:
        self.thread.start()
        self.task = asyncio.run_coroutine_threadsafe(self.device.run(), self.loop)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.device.stop(), self.loop).result(15)
        self.task.result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(15)
        self.loop.close()


def shoot(tab: Any, name: str) -> None:
    """Screenshots at 1280 px and 390 px; the page must not scroll sideways on a phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in SIZES.items():
        tab.set_viewport_size(size)
        try:
            tab.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=10_000)
        except PlaywrightTimeout:
            overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            raise AssertionError(f"{name} at {label} px: {overflow} px wider than the screen") from None
        # Two frames: scrolled boxes are painted again at the new width before the shot.
        tab.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        tab.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    tab.set_viewport_size(SIZES["1280"])


def test_build_send_copy_and_watch_a_counter_live(tab: Any, hub: Hub, pulled: int) -> None:
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(tab, hub.seeded.a.users["manager"])
    tab.wait_for_url("**/portal/dashboard")
    tab.click("nav.nav a:text('Integration tool')")
    tab.wait_for_url("**/portal/integration")
    assert tab.input_value("#counter") == str(pulled)
    assert not tab.is_visible("#host")  # a stored login: no address or password to type

    # Build a minute query; the URL follows the fields.
    tab.check("input[name=api][value=minute]")
    tab.select_option("#resolution_min", "15")
    for field, value in (("#date_start", DAY.isoformat()), ("#date_end", DAY.isoformat()),
                         ("#time_start", "10:00:00"), ("#time_end", "11:00:00")):
        tab.fill(field, value)
    expected = (f"data_format=minute&resolution_min=15&date_start={DAY:%Y%m%d}&date_end={DAY:%Y%m%d}"
                "&time_start=100000&time_end=110000&access_token=[access_token]")
    tab.wait_for_function("(end) => document.getElementById('query-url').textContent.endsWith(end)",
                          arg=expected)

    # Send it: the hub asks the simulated counter and the page shows its answer.
    tab.click("#send")
    tab.wait_for_selector("#response:not([hidden])")
    assert tab.inner_text("#response-status") == "HTTP 200"
    body = tab.inner_text("#response-body")
    assert f'"serial": "{BACK}"' in body and body.count('"roi_id": 1') == 4  # four quarter hours, one line
    assert "access_token.cgi → 200, apiCount.cgi → 200" in tab.inner_text("#response-meta")
    assert SECRET not in tab.content()

    # Copy the Python snippet.
    tab.select_option("#language", "python")
    tab.click("#copy-snippet")
    tab.wait_for_selector("#copy-snippet[data-copied='1']")
    copied = tab.evaluate("() => navigator.clipboard.readText()")
    assert copied.strip() == tab.inner_text("#snippet-python").strip()
    assert "urlopen(url, timeout=10)" in copied and expected in copied

    # Watch any counter of the company; a counter pushed to the page's address checks its link.
    address = tab.inner_text("#ws-address")
    assert address == f"ws://127.0.0.1:{hub.port}/ws"
    tab.click("#watch")
    tab.wait_for_selector("body[data-watching='*']")
    with PushingCounter(address, hub.seeded.a.token):
        check = tab.wait_for_selector("#messages li[data-topic='generic-test-topic']")
        text = check.inner_text()
    assert PUSHING in text and "Test connection" in text and "ws · " in text
    shoot(tab, "integration")


def test_messages_are_shown_as_text_never_as_markup(tab: Any, hub: Hub) -> None:
    sign_in(tab, hub.seeded.a.users["admin"])
    tab.wait_for_url("**/portal/dashboard")
    tab.goto("/portal/integration")
    tab.fill("#watch-serial", PUSHING)
    tab.click("#watch")
    tab.wait_for_selector(f"body[data-watching='{PUSHING}']")
    hostile = ("{'Topic': '<img src=x onerror=document.body.dataset.owned=1>', "
               f"'Data': {{'CameraSerial': '{PUSHING}', 'Message': '<b>bold</b>'}}}}")
    with ThreadPoolExecutor(1) as pool:  # Playwright holds this thread's event loop
        pushed = _push(f"ws://127.0.0.1:{hub.port}/ws", hub.seeded.a.token, hostile)
        pool.submit(asyncio.run, pushed).result(30)
    item = tab.wait_for_selector("#messages li")
    assert "<b>bold</b>" in item.inner_text()
    assert tab.locator("#messages img, #messages b").count() == 0
    assert tab.evaluate("() => document.body.dataset.owned") is None


async def _push(url: str, token: str, text: str) -> None:
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(text)
        await asyncio.wait_for(ws.recv(), 20)
