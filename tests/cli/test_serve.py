"""`footfall serve` on loopback: addresses printed, API answering, rollups kept warm."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

import footfall.api.app
from footfall.cli.hours import parse_opening_hours
from footfall.cli.rollup import pending_hours
from footfall.cli.serve import API_PREFIX, RollupLoop, base_url
from footfall.settings import load
from footfall.storage.engine import make_engine, read_tx
from footfall.storage.tables import counter_hour
from tests.cli.conftest import Hub
from tests.cli.test_data_commands import SEED_EVENTS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_serve_answers_and_rolls_up_in_the_background(hub: Hub) -> None:
    hub.run("company", "create", "Acme")
    token = hub.run("token", "create", "--company", "Acme").stdout.splitlines()[-1]
    hub.run("site", "add", "--company", "Acme", "--code", "KUL", "--name", "Pavilion",
            "--timezone", "Asia/Kuala_Lumpur")
    hub.run("counter", "add", "--company", "Acme", "--serial", "000000006afce315", "--site", "KUL")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from footfall.cli.main import app; app()", "serve",
         "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    engine = make_engine(load().url)
    try:
        assert _wait_for(lambda: _answers(f"{url}/healthz"), 30), "server did not start"
        assert httpx.get(f"{url}/docs").status_code == 200
        events = [ast.literal_eval(line) for line in SEED_EVENTS.splitlines()]
        stored = httpx.post(f"{url}{API_PREFIX}/ingest/events", json=events,
                            headers={"Authorization": f"Bearer {token}"})
        assert stored.json()["accepted"] == 2

        def rolled_up() -> bool:
            with read_tx(engine) as conn:
                rows = conn.execute(select(func.count()).select_from(counter_hour)).scalar_one()
            return rows > 0 and pending_hours(engine) == 0

        # Nobody asks for counts: only the background loop can have rolled these up.
        assert _wait_for(rolled_up, 20)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=15)
        engine.dispose()
    assert f"API:  {url}/api/v1" in output
    assert f"Docs: {url}/docs" in output


def test_rollup_loop_tick_clears_pending_hours(hub: Hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hub.run("company", "create", "Acme")
    path = tmp_path / "events.txt"
    path.write_text(SEED_EVENTS)
    hub.run("ingest", str(path), "--company", "Acme")
    engine = make_engine(load().url)
    try:
        assert pending_hours(engine) > 0
        loop = RollupLoop(engine)
        assert loop.tick() > 0
        assert pending_hours(engine) == 0 and not loop.failing
    finally:
        engine.dispose()


def test_cli_and_api_agree_on_the_api_prefix() -> None:
    assert API_PREFIX == footfall.api.app.API_PREFIX


def test_base_url_shows_a_reachable_address() -> None:
    assert base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert base_url("::1", 9000) == "http://[::1]:9000"


def test_opening_hours_from_the_command_line() -> None:
    hours = parse_opening_hours("mon-wed 09:00-12:00 13:00-18:00; sun 10:00-16:00")
    assert hours == {day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed")} | {
        "sun": [["10:00", "16:00"]]}


def test_serve_on_a_dedicated_websocket_port_serves_only_the_counters(hub: Hub) -> None:
    import asyncio

    import websockets

    hub.run("company", "create", "Acme")
    port, ws_port = _free_port(), _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from footfall.cli.main import app; app()", "serve",
         "--port", str(port), "--ws-port", str(ws_port)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)

    async def check() -> str:
        async with websockets.connect(f"ws://127.0.0.1:{ws_port}/ws") as ws:
            await ws.send('{"Topic": "generic-test-topic", "Data": {"SerialNumber": "000000006afce315"}}')
            return str(await ws.recv())

    try:
        assert _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 30), "server did not start"
        assert asyncio.run(check()) == "OK"
        refused = httpx.get(f"http://127.0.0.1:{ws_port}/api/v1/sites")
        assert refused.status_code == 404 and "only the counters' WebSocket" in refused.text
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=15)
    assert f"WebSocket (dedicated port): ws://127.0.0.1:{ws_port}/ws" in output
