"""Portal fixtures: a seeded app behind a test client (both backends), and for the browser
tests a real uvicorn hub on a free loopback port with Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import footfall.security.passwords
from footfall.api.app import create_app
from footfall.portal.lockout import LockoutPolicy
from footfall.settings import Settings
from footfall.storage.engine import make_engine
from footfall.storage.migrate import upgrade
from tests.portal.seed import PASSWORD, Seeded, seed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TEST_LOCKOUT = LockoutPolicy(account_failures=3, address_failures=6)


@pytest.fixture(scope="session", autouse=True)
def quick_argon2() -> Iterator[None]:
    """argon2id with small costs: the same code path, without ~1 s per hash on a busy machine."""
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(footfall.security.passwords, "_hasher", lambda: quick)
        yield


def csrf_of(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form (fetching its CSRF token first); the final response."""
    form = client.get("/portal/sign-in")
    return client.post("/portal/sign-in", data={"email": email, "password": password,
                                                "csrf_token": csrf_of(form.text)})


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    """Companies A and B with users, sites and data on the `engine` backend."""
    return seed(engine)


@pytest.fixture
def app_client(engine: Engine, seeded: Seeded, tmp_path: Path) -> Iterator[TestClient]:
    """A test client of the hub (portal included) over the seeded database."""
    app = create_app(Settings(data_dir=tmp_path), engine)
    app.state.portal_lockout = TEST_LOCKOUT
    with TestClient(app) as client:
        yield client


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Hub:
    """A real hub server on loopback over a seeded SQLite database."""

    def __init__(self, data_dir: Path) -> None:
        self.engine = make_engine(f"sqlite:///{data_dir / 'footfall.db'}")
        upgrade(self.engine)
        self.seeded = seed(self.engine)
        self.app = create_app(Settings(data_dir=data_dir), self.engine)
        self.app.state.portal_lockout = LockoutPolicy(account_failures=3, address_failures=50)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=3)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Hub:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.engine.dispose()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The hub served by uvicorn for this module's browser tests."""
    with Hub(tmp_path_factory.mktemp("portal-hub")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (never a downloaded browser).

    Module-scoped: Playwright's sync API holds an event loop on the main thread while it
    runs, so it must stop before other modules' tests call `asyncio.run`.
    """
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"the portal's browser tests must run in CI: {reason}")
        pytest.skip(f"{reason}; set CI=true to make this a failure")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def tab(browser: Any, hub: Hub) -> Iterator[Any]:
    """A fresh browser page (own cookies) at desktop width, against the hub."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=hub.url)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()
